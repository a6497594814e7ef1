import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ActivationReport, layout, layoutPrelude, parseGenerations, parseHostLine, parseObjects, parseStatus } from "./protocol.ts";

const recorded = (name: string) => readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "testdata", name), "utf8").split("\n").filter(Boolean);

describe("host protocol", () => {
  it("reads an activation's report: units, changed files (spaces kept), the generation it finished on", () => {
    const report = new ActivationReport();
    const steps = recorded("activation.out").map((l) => report.add(l)).flatMap((l) => (l.kind === "step" ? [l.step] : []));
    assert.deepEqual(steps, ["check", "packages", "users", "stop", "files", "secrets", "units", "health", "commit"]);
    assert.deepEqual(report.actions, {
      started: ["greeter.service"],
      restarted: ["roost-firewall.service"],
      reloaded: ["nginx.service"],
      stopped: ["ticker.service"],
      changedFiles: ["/etc/systemd/system/greeter.service", "/srv/greeter/index.html", "/srv/greeter/a file with spaces"],
    });
    assert.equal(report.done, "3f1c2a9e8b7d6c5f4e3a2b1c0d9e8f7a");
    assert.equal(report.rolledBack, false);
    assert.equal(report.reason(), undefined);
  });

  it("reads a failed activation that rolled back, and gives the failed health check as the reason", () => {
    const report = new ActivationReport();
    for (const l of recorded("failed-activation.out")) report.add(l);
    assert.equal(report.rolledBack, true);
    assert.equal(report.reason(), 'health check greeter failed: http://127.0.0.1:8080/ the body does not contain "never"');
  });

  it("reads the lock-and-look report", () => {
    const status = parseStatus(recorded("status.out"));
    assert.equal(status.current, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    assert.deepEqual(status.pending, { next: "3f1c2a9e8b7d6c5f4e3a2b1c0d9e8f7a", previous: "0a1b2c3d4e5f60718293a4b5c6d7e8f9" });
    assert.deepEqual([...status.missing], ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]);
    assert.deepEqual(status.drift, [
      { kind: "changed", path: "/srv/greeter/index.html" },
      { kind: "missing", path: "/etc/a file with spaces" },
    ]);
    assert.equal(status.staleHolder, "alice@laptop (pid 4242) since 2026-11-26T10:00:00.000Z");
    assert.deepEqual(status.manifest, { format: 1, host: "alpha" });
  });

  it("keeps malformed lines as other, never as data", () => {
    for (const line of ["current not-an-id", "missing abc", "pending a b", "drift changed relative/path", "done", "ready now", "changed x", "manifest %%%"]) {
      assert.equal(parseHostLine(line).kind, "other", line);
    }
    assert.deepEqual(parseHostLine("current -"), { kind: "current", id: null });
    assert.deepEqual(parseHostLine("locked bob@ci (pid 1) since then"), { kind: "locked", holder: "bob@ci (pid 1) since then" });
  });

  it("reads generations and objects", () => {
    const gens = parseGenerations("0a1b2c3d4e5f60718293a4b5c6d7e8f9\t2026-11-26T10:00:00Z\t1\t1234\n3f1c2a9e8b7d6c5f4e3a2b1c0d9e8f7a\t-\t0\t0\ngarbage\n");
    assert.deepEqual(gens, [
      { id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", activated: "2026-11-26T10:00:00Z", current: true, bytes: 1234 },
      { id: "3f1c2a9e8b7d6c5f4e3a2b1c0d9e8f7a", activated: null, current: false, bytes: 0 },
    ]);
    const h = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const objects = parseObjects(`${h} dGVzdA==\n${"0".repeat(64)} -\n`);
    assert.equal(objects.get(h)!.toString(), "test");
    assert.equal(objects.get("0".repeat(64)), null);
  });

  it("spells the layout once, as shell variables for the scripts", () => {
    const prelude = layoutPrelude();
    assert.match(prelude, /^readonly R=\/var\/lib\/roost$/m);
    assert.match(prelude, /^readonly STORE=\/var\/lib\/roost\/store$/m);
    assert.match(prelude, /^readonly ENTRY_POINT=\/usr\/local\/lib\/roost\/roost-host$/m);
    for (const p of Object.values(layout)) assert.match(p, /^\/[a-z0-9/._-]+$/);
  });
});

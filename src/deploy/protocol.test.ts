import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { entryPointScript, verbEnvironment } from "./host-scripts.ts";
import {
  ActivationReport,
  layout,
  layoutPrelude,
  parseGenerations,
  parseHostLine,
  parseObjects,
  parseReport,
  parseStatus,
} from "./protocol.ts";

const recorded = (name: string) =>
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "testdata", name), "utf8")
    .split("\n")
    .filter(Boolean);

// testdata/*.out were recorded from the scripts on a test host: a switch that stops a unit and
// changes a file with spaces in its name, one whose health check failed, and a lock-and-look after
// hand edits with a stale lock.
describe("host protocol", () => {
  it("reads an activation's report: units, changed files (spaces kept), the generation it finished on", () => {
    const report = new ActivationReport();
    const steps = recorded("activation.out")
      .map((l) => report.add(l))
      .flatMap((l) => (l.kind === "step" ? [l.step] : []));
    assert.deepEqual(steps, ["check", "packages", "users", "stop", "files", "secrets", "units", "health", "commit"]);
    assert.deepEqual(report.actions, {
      started: [],
      restarted: ["greeter.service"],
      reloaded: [],
      stopped: ["ticker.service"],
      changedFiles: ["/srv/greeter/index.html", "/etc/a file with spaces", "/etc/systemd/system/ticker.service"],
    });
    assert.equal(report.done, "5f2d9159bdfc08ce2399dc36535bed23");
    assert.equal(report.rolledBack, false);
    assert.equal(report.reason(), undefined);
  });

  it("reads a failed activation that rolled back, and gives the failed health check as the reason", () => {
    const report = new ActivationReport();
    const lines = recorded("failed-activation.out").map((l) => report.add(l));
    assert.equal(report.rolledBack, true);
    assert.equal(report.reason(), 'health check greeter failed: http://127.0.0.1:8080/ the body does not contain "never"');
    assert.deepEqual(
      lines.filter((l) => l.kind === "other").map((l) => l.kind === "other" && l.text),
      ["rollback to 5f2d9159bdfc08ce2399dc36535bed23", "healthy greeter"],
    );
  });

  it("reads the lock-and-look report", () => {
    const status = parseStatus(recorded("status.out"));
    assert.equal(status.current, "5f2d9159bdfc08ce2399dc36535bed23");
    assert.equal(status.pending, null);
    assert.deepEqual([...status.missing], ["0".repeat(64)]);
    assert.deepEqual(status.drift, [
      { kind: "changed", path: "/srv/greeter/index.html" },
      { kind: "missing", path: "/etc/a file with spaces" },
    ]);
    assert.equal(status.staleHolder, "alice@laptop (pid 4242) since 2026-11-26T10:00:00.000Z");
    assert.equal(status.manifest?.host, "alpha");
    assert.equal(status.manifest?.files["/etc/a file with spaces"]?.mode, "0644");
    assert.equal(status.released, false);
  });

  it("reads a host that had nothing to do and let its lock go", () => {
    const status = parseStatus(["alive", "current 5f2d9159bdfc08ce2399dc36535bed23", "released", "ready"]);
    assert.equal(status.released, true);
    assert.equal(parseStatus(["released now", "ready"]).released, false);
  });

  // report*.out: `roost-host report` on a healthy host, and on one with a unit stopped, a unit
  // killed, a managed file edited and another deleted.
  it("reads the report of a healthy host", () => {
    assert.deepEqual(parseReport(recorded("report.out")), {
      current: "81bd4f5a8ddc297a08c68a57346d4db7",
      activated: "2026-11-26T12:46:36Z",
      pending: null,
      down: [],
      checks: [
        { name: "greeter", result: "ok", reason: null },
        { name: "ticker", result: "ok", reason: null },
      ],
      drift: [],
    });
  });

  it("reads the report of a broken host: units down, failing checks with their reasons, drift", () => {
    const report = parseReport(recorded("report-broken.out"));
    assert.equal(report.current, "f3ceabfa0bd8991915a572172ec438bb");
    assert.deepEqual(report.down, [
      { unit: "chatter.service", state: "failed" },
      { unit: "ticker.service", state: "inactive" },
    ]);
    assert.deepEqual(report.checks, [
      { name: "greeter", result: "failed", reason: 'http://127.0.0.1:8080/ the body does not contain "hello"' },
      { name: "ticker", result: "failed", reason: "ticker.service is inactive" },
    ]);
    assert.deepEqual(report.drift, [
      { kind: "changed", path: "/srv/greeter/index.html" },
      { kind: "missing", path: "/etc/roost/units/chatter.service/start" },
    ]);
  });

  it("keeps malformed report lines as other", () => {
    for (const line of [
      "activated yesterday",
      "down",
      "down ticker.service",
      "down bad;unit failed",
      "check ok",
      "check ok greeter why",
      "check failed greeter",
      "check maybe greeter x",
      "check ok -name",
    ]) {
      assert.equal(parseHostLine(line).kind, "other", line);
    }
    assert.deepEqual(parseHostLine("check skipped web this version of Roost cannot read it"), {
      kind: "check",
      result: "skipped",
      name: "web",
      reason: "this version of Roost cannot read it",
    });
    assert.deepEqual(parseHostLine("down app.service activating/auto-restart"), {
      kind: "down",
      unit: "app.service",
      state: "activating/auto-restart",
    });
  });

  it("reads the generations a host lists", () => {
    const gens = parseGenerations(
      readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "testdata", "generations.out"), "utf8"),
    );
    assert.deepEqual(gens, [
      { id: "28269b8be8540ecb8bb091ffa03dcabe", activated: null, current: false, bytes: 1627 },
      { id: "5f2d9159bdfc08ce2399dc36535bed23", activated: "2026-11-26T12:23:40Z", current: true, bytes: 1513 },
      { id: "decef41f228a6e9904149ffab699ecc6", activated: "2026-11-26T12:23:38Z", current: false, bytes: 1626 },
    ]);
  });

  it("keeps malformed lines as other, never as data", () => {
    for (const line of [
      "current not-an-id",
      "missing abc",
      "pending a b",
      "drift changed relative/path",
      "done",
      "ready now",
      "changed x",
      "manifest %%%",
    ]) {
      assert.equal(parseHostLine(line).kind, "other", line);
    }
    assert.deepEqual(parseHostLine("current -"), { kind: "current", id: null });
    assert.deepEqual(parseHostLine("locked bob@ci (pid 1) since then"), { kind: "locked", holder: "bob@ci (pid 1) since then" });
    assert.deepEqual(parseHostLine(`pending ${"a".repeat(32)} ${"b".repeat(32)}`), {
      kind: "pending",
      next: "a".repeat(32),
      previous: "b".repeat(32),
    });
  });

  it("reads objects, and skips lines that are not", () => {
    assert.deepEqual(parseGenerations("garbage\n\t\t\t\n"), []);
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

  it("runs a root login's verb in the environment the entry point gives it", () => {
    // A root login skips the entry point (ssh.ts): both must start a verb's script the same way.
    assert.ok(entryPointScript.includes(`\nexec ${verbEnvironment.join(" ")} "$ENTRY_DIR/scripts/$verb.sh" "$@"\n`));
  });
});

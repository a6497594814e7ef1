import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { timingsTable } from "./deploy-fleet.ts";
import type { HostResult } from "./deploy-host.ts";
import { hostScripts } from "./host-scripts.ts";
import { ActivationReport, parseHostLine } from "./protocol.ts";

/** Run the shipped activation's functions (without its main) and then `body`, as bash. */
function activation(body: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const script = hostScripts.activate.replace(/^main "\$@"$/m, "") + `\n${body}\n`;
  return spawnSync("bash", ["-c", script, "activate", ...args], { encoding: "utf8" });
}

describe("deploy timings", () => {
  it("the activation ends each step with a timing line the controller reads, skipped steps marked", () => {
    const r = activation("step packages; SKIPPED=1; sleep 0.05; step files; step_done");
    assert.equal(r.status, 0, r.stderr);
    const report = new ActivationReport();
    const steps = r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => report.add(l))
      .flatMap((l) => (l.kind === "step" ? [l.step] : []));
    assert.deepEqual(steps, ["packages", "files"]);
    assert.deepEqual(
      report.timings.map((t) => [t.step, t.skipped]),
      [
        ["load", false],
        ["packages", true],
        ["files", false],
      ],
    );
    assert.ok(report.timings[1]!.ms >= 40 && report.timings[1]!.ms < 2000, `packages took ${report.timings[1]!.ms} ms`);
  });

  it("keeps malformed timing lines as other", () => {
    for (const line of ["timing", "timing files", "timing files -1", "timing files 12 maybe", "timing Files 12", "timing files 1.5"])
      assert.equal(parseHostLine(line).kind, "other", line);
    assert.deepEqual(parseHostLine("timing users 3 skipped"), { kind: "timing", step: "users", ms: 3, skipped: true });
  });

  it("one stat and one sha256sum describe every regular file; links, directories and missing paths are left out", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "roost-scan-"));
    try {
      writeFileSync(path.join(dir, "a file with spaces"), "hello\n");
      chmodSync(path.join(dir, "a file with spaces"), 0o640);
      writeFileSync(path.join(dir, "empty"), "");
      chmodSync(path.join(dir, "empty"), 0o644);
      symlinkSync(path.join(dir, "empty"), path.join(dir, "link"));
      mkdirSync(path.join(dir, "sub"));
      const paths = ["a file with spaces", "empty", "link", "sub", "missing"].map((p) => path.join(dir, p));
      const r = activation(
        `scan_disk "$@"; for p in "$@"; do printf '%s|%s|%s\\n' "$p" "\${disk_sha[$p]:-}" "\${disk_meta[$p]:-}"; done`,
        paths,
      );
      assert.equal(r.status, 0, r.stderr);
      const user = spawnSync("id", ["-un"], { encoding: "utf8" }).stdout.trim();
      const group = spawnSync("id", ["-gn"], { encoding: "utf8" }).stdout.trim();
      assert.deepEqual(r.stdout.trim().split("\n"), [
        `${paths[0]}|5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03|640 ${user} ${group}`,
        `${paths[1]}|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855|644 ${user} ${group}`,
        `${paths[2]}||`,
        `${paths[3]}||`,
        `${paths[4]}||`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints one column per host and one row per phase, host steps indented, in the order they ran", () => {
    const host = (name: string, timings: HostResult["timings"]): HostResult => ({
      host: name,
      status: "deployed",
      from: null,
      to: "0".repeat(32),
      actions: { started: [], restarted: [], reloaded: [], stopped: [], changedFiles: [] },
      plan: null,
      notes: [],
      roundTrips: 3,
      seconds: 0.5,
      timings,
    });
    const table = timingsTable(
      [
        host("a", [
          { phase: "lock, status", ms: 20, on: "controller" },
          { phase: "packages", ms: 0, on: "host", skipped: true },
          { phase: "confirm", ms: 90, on: "controller" },
        ]),
        host("b", [
          { phase: "lock, status", ms: 25, on: "controller" },
          { phase: "packages", ms: 400, on: "host" },
          { phase: "files", ms: 7, on: "host" },
          { phase: "confirm", ms: 95, on: "controller" },
        ]),
      ],
      [{ phase: "build", ms: 30 }],
    );
    assert.equal(
      table,
      [
        "controller, for the fleet: build 30 ms",
        "ms                      a    b",
        "lock, status           20   25",
        "  packages    0 (skipped)  400",
        "  files                      7",
        "confirm                90   95",
        "total (host)          500  500",
      ].join("\n"),
    );
  });
});

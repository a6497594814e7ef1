import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { runRoost } from "./run-roost.ts";

// The fleet's hosts are at .invalid addresses; the state directory holds SSH connections, so its
// absence after a run means no host was contacted.
const config = "test/fixtures/fleet-logs/monitored.config.ts";
const scratch = mkdtempSync(path.join(tmpdir(), "roost-fleet-logs-"));
const stateDir = path.join(scratch, "state");
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("roost logs --fleet on the command line", () => {
  it("exits 2 with a usage error, before contacting a host, for what the command line cannot mean", () => {
    const cases: [string[], RegExp][] = [
      [["--fleet", "tiger"], /^error: --fleet takes no host or unit argument$/m],
      [["--host", "tiger", "--unit", "nginx"], /^error: --host and --unit go with --fleet$/m],
      [["--fleet", "-o", "nonsense"], /argument 'nonsense' is invalid/],
      [["--fleet", "-n", "many"], /^error: expected a number of lines, got "many"$/m],
      [["--fleet", "--host"], /option '--host <host>' argument missing/],
      [["--fleet", "--host", "lion", "-f"], /^error: no host named "lion" in the fleet$/m],
      [["--fleet", "--unit", "$(id)", "--since", "1h"], /^error: not a unit name: "\$\(id\)"$/m],
    ];
    for (const [args, message] of cases) {
      const r = runRoost(["-c", config, "logs", ...args], { env: { ROOST_STATE_DIR: stateDir } });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(" "));
      assert.equal(r.stdout, "");
    }
    assert.equal(existsSync(stateDir), false);
  });
});

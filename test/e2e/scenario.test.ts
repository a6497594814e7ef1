import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runRoostAsync } from "../cli/run-roost.ts";

describe("roost test", { timeout: 300_000 }, () => {
  it("runs the example's scenario on fresh hosts and reports it passed", async () => {
    const r = await runRoostAsync(["test", "examples/homelab/tests/site.scenario.ts"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^✓ homelab: the site serves and the backup host watches for copies \(\d+\.\d s\)$/m);
  });

  it("fails with the scenario's own message when a check fails", async () => {
    const r = await runRoostAsync(["test", "test/e2e/fixtures/failing.scenario.ts"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^✗ a check that cannot pass/m);
    assert.match(r.stderr, /alpha: `test -e \/nonexistent` failed with 1/);
  });
});

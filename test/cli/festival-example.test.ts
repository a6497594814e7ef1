import assert from "node:assert/strict";
import { it } from "node:test";
import { runRoost } from "./run-roost.ts";

it("roost check passes the festival example (seed 000), its units verified by systemd-analyze and its firewall by nft", () => {
  const run = runRoost(["check", "-c", "examples/festival/roost.config.ts"]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /✓ pretix-server-01 {2}\(evaluated, built, systemd-analyze verify, nft -c\)/);
});

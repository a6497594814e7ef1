import assert from "node:assert/strict";
import { it } from "node:test";
import { runRoost } from "./run-roost.ts";

it("roost check passes the Django example, its units verified by systemd-analyze", () => {
  const run = runRoost(["check", "-c", "examples/django-app/roost.config.ts"]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /✓ rtutils {2}\(evaluated, built, systemd-analyze verify, nft -c\)/);
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildHost } from "../build/generation.ts";
import { defineFleet, FleetEvaluation, host } from "../host/fleet.ts";
import { validateGeneration } from "./validate.ts";

function generation(validators: Record<string, { command: string[]; package?: string }>) {
  const fleet = defineFleet({
    hosts: {
      a: host({
        address: "root@10.0.0.1",
        config: { files: { "/etc/app/conf.yml": { text: "ok: true\n" } }, validators },
      }),
    },
  });
  return buildHost("a", new FleetEvaluation(fleet).host("a"));
}

describe("validators.<name>", () => {
  it("runs each command where the generation's files are, and fails the check on a non-zero exit with its output", async () => {
    const passing = await validateGeneration(generation({ conf: { command: ["grep", "-q", "ok: true", "etc/app/conf.yml"] } }));
    assert.deepEqual(passing.findings, []);
    assert.ok(passing.ran.includes("module validators"));

    const failing = await validateGeneration(generation({ conf: { command: ["grep", "missing", "etc/app/conf.yml", "etc/app/nothing"] } }));
    assert.equal(failing.findings.length, 1);
    assert.equal(failing.findings[0]!.validator, "validators.conf");
    assert.match(
      failing.findings[0]!.message,
      /^grep missing etc\/app\/conf\.yml etc\/app\/nothing failed:\n(\/usr\/bin\/)?grep: etc\/app\/nothing: No such file or directory$/,
    );
  });

  it("says which program is not installed and where it comes from, and is not listed for a host without validators", async () => {
    const result = await validateGeneration(generation({ rules: { command: ["no-such-checker", "x"], package: "no-such-package" } }));
    assert.deepEqual(result.findings, []);
    assert.deepEqual(result.skipped, [
      { validator: "validators (rules)", reason: "no-such-checker is not installed (apt-get install no-such-package)" },
    ]);
    assert.ok(!(await validateGeneration(generation({}))).ran.includes("module validators"));
  });
});

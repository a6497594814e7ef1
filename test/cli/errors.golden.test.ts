import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { repoRoot, runRoost } from "./run-roost.ts";

// Each fixture is a fleet with one mistake; `roost check` must print exactly the golden text.
// Regenerate after an intended change with UPDATE_GOLDEN=1.
const cases = {
  "type-error": "a value of the wrong type names the option path, the type, the value and the site",
  conflict: "two definitions of one option name both sites with their priorities and one hint",
  "missing-option": "a misspelt option suggests the options it may have meant",
  cycle: "options that depend on each other print the chain",
  assertions: "failed assertions and other errors are reported together",
  "yaml-type-error": "a value from a YAML file is checked like any other and points at its line",
};

describe("error messages (golden)", () => {
  for (const [name, behaviour] of Object.entries(cases)) {
    it(behaviour, () => {
      const run = runRoost(["check", "-c", `test/fixtures/errors/${name}.config.ts`]);
      assert.equal(run.code, 1, run.stderr);
      assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, "no stack trace");
      const golden = path.join(repoRoot, "test/golden/errors", `${name}.txt`);
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, run.stdout);
      assert.equal(run.stdout, readFileSync(golden, "utf8"));
    });
  }
  it("an option declared twice with types that do not merge names both declarations", () => {
    // The declarations fail before any host is evaluated, so the message comes alone, on stderr.
    const run = runRoost(["check", "-c", "test/fixtures/errors/declared-twice.config.ts"]);
    assert.equal(run.code, 1, run.stdout);
    const golden = path.join(repoRoot, "test/golden/errors/declared-twice.txt");
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, run.stderr);
    assert.equal(run.stderr, readFileSync(golden, "utf8"));
  });
});

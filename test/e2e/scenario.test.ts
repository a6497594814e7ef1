import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, runRoostAsync } from "../cli/run-roost.ts";

describe("roost test", { timeout: 300_000 }, () => {
  it("runs the example's scenario on fresh hosts and reports it passed", async () => {
    const r = await runRoostAsync(["test", "examples/homelab/tests/site.scenario.ts"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^✓ homelab: the site serves and the backup host watches for copies \(\d+\.\d s\)$/m);
  });

  it("names the scenario's failing line and what the last attempt printed, without --debug", async () => {
    const fixture = "test/e2e/fixtures/failing.scenario.ts";
    const r = await runRoostAsync(["test", fixture]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^✗ a check that cannot pass/m);
    assert.match(
      r.stderr,
      /^error: alpha: `echo looking for \/nonexistent; ls \/nonexistent` did not succeed within 1 s \(\d+ attempts; the last exited 2\)$/m,
    );
    assert.match(
      r.stderr,
      /^ {2}stdout:\n {4}looking for \/nonexistent\n {2}stderr:\n {4}ls: cannot access '\/nonexistent': No such file or directory$/m,
    );
    const line = lineOf(fixture, "waitUntilSucceeds(");
    assert.match(
      r.stderr,
      new RegExp(`^ {2}at test/e2e/fixtures/failing\\.scenario\\.ts:${line}:\\d+: await hosts\\.alpha!\\.waitUntilSucceeds\\(`, "m"),
    );
    assert.doesNotMatch(r.stderr, /--debug|^\s+at async/m);
  });

  it("names the failing line of an assertion of the scenario's own", async () => {
    const fixture = "test/e2e/fixtures/failing-assert.scenario.ts";
    const r = await runRoostAsync(["test", fixture]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: Expected values to be strictly equal:/m);
    assert.match(r.stderr, /- 'beta\\n'/);
    assert.match(
      r.stderr,
      new RegExp(
        `^ {2}at test/e2e/fixtures/failing-assert\\.scenario\\.ts:${lineOf(fixture, "assert.equal(")}:\\d+: assert\\.equal\\(name, "beta\\\\n"\\);$`,
        "m",
      ),
    );
  });
});

function lineOf(file: string, text: string): number {
  return (
    readFileSync(path.join(repoRoot, file), "utf8")
      .split("\n")
      .findIndex((l) => l.includes(text)) + 1
  );
}

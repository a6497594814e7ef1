import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { privateDir } from "../../bin/load.js";
import { runRoost } from "./run-roost.ts";

const scratch = mkdtempSync(path.join(tmpdir(), "roost-code-cache-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A system temporary directory of its own for each case. */
function temp(name: string): { env: NodeJS.ProcessEnv; cache: string } {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  return { env: { TMPDIR: dir }, cache: path.join(dir, `roost-${userInfo().uid}`, "code-cache") };
}

const files = (dir: string, ext: string) => readdirSync(dir).filter((f) => f.endsWith(ext));

describe("the CLI's code cache", () => {
  it("is written by the first run of each command, and read as it is by the next", () => {
    const { env, cache } = temp("reuse");
    const first = runRoost(["options", "--json"], { env });
    assert.equal(first.code, 0, first.stderr);
    const [bin] = files(cache, ".bin");
    assert.ok(bin, "a cache was written");
    assert.deepEqual(JSON.parse(readFileSync(path.join(cache, bin.replace(/\.bin$/, ".json")), "utf8")), ["options"]);
    assert.equal(statSync(cache).mode & 0o777, 0o700);
    assert.equal(statSync(path.join(cache, bin)).mode & 0o777, 0o600);
    const written = statSync(path.join(cache, bin)).mtimeMs;

    const again = runRoost(["options", "--json"], { env });
    assert.equal(again.stdout, first.stdout);
    assert.equal(statSync(path.join(cache, bin)).mtimeMs, written, "an accepted cache of a command seen before is left as it is");

    const other = runRoost(["init", path.join(scratch, "reuse", "fleet")], { env });
    assert.equal(other.code, 0, other.stderr);
    assert.deepEqual(JSON.parse(readFileSync(path.join(cache, bin.replace(/\.bin$/, ".json")), "utf8")), ["options", "init"]);
  });

  it("a damaged cache is refused by V8 and written again; the command runs all the same", () => {
    const { env, cache } = temp("damaged");
    const clean = runRoost(["options", "--json"], { env });
    const [bin] = files(cache, ".bin");
    writeFileSync(path.join(cache, bin!), Buffer.alloc(statSync(path.join(cache, bin!)).size, 0x5a));
    const run = runRoost(["options", "--json"], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, clean.stdout);
    assert.notEqual(readFileSync(path.join(cache, bin!))[0], 0x5a, "written again");
  });

  it("nothing is read from or written to a directory that is not the user's alone", () => {
    const { env, cache } = temp("shared");
    const base = path.dirname(cache);
    mkdirSync(base);
    chmodSync(base, 0o777);
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = env.TMPDIR;
    try {
      assert.equal(privateDir("code-cache"), null);
    } finally {
      process.env.TMPDIR = previous;
    }
    const run = runRoost(["options", "--json"], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(base), [], "no cache in a directory others can write to");
    // Fleet files are compiled into the same place, and refused there with a clear error.
    const check = runRoost(["check", "-c", "examples/homelab/roost.config.ts"], { env });
    assert.equal(check.code, 1, check.stdout + check.stderr);
    assert.match(check.stderr, /cannot keep compiled fleet files in .*roost-\d+\n.*not a directory of this user's with mode 0700/);
  });
});

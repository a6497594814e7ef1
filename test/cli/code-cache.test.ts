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
    // The commands whose runs wrote the cache, from its header: the bundle's identity, then them.
    const commands = (file: string) => JSON.parse(readFileSync(file, "latin1").split("\n")[1]!) as string[];
    const first = runRoost(["options", "--json"], { env });
    assert.equal(first.code, 0, first.stderr);
    const [bin] = files(cache, ".bin");
    assert.ok(bin, "a cache was written");
    const file = path.join(cache, bin);
    assert.deepEqual(commands(file), ["options"]);
    assert.equal(statSync(cache).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const written = statSync(file).mtimeMs;

    const again = runRoost(["options", "--json"], { env });
    assert.equal(again.stdout, first.stdout);
    assert.equal(statSync(file).mtimeMs, written, "an accepted cache of a command seen before is left as it is");

    const other = runRoost(["init", path.join(scratch, "reuse", "fleet")], { env });
    assert.equal(other.code, 0, other.stderr);
    assert.deepEqual(commands(file), ["options", "init"]);
    assert.deepEqual(files(cache, ".bin"), [bin], "one cache per bundle, rewritten in place");
  });

  it("a damaged cache is refused by V8 and written again; the command runs all the same", () => {
    const { env, cache } = temp("damaged");
    const clean = runRoost(["options", "--json"], { env });
    const file = path.join(cache, files(cache, ".bin")[0]!);
    const data = readFileSync(file);
    // The header stays: V8 itself must refuse what follows it.
    const header = data.indexOf(10, data.indexOf(10) + 1) + 1;
    data.fill(0x5a, header);
    writeFileSync(file, data);
    const run = runRoost(["options", "--json"], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, clean.stdout);
    assert.notEqual(readFileSync(file)[header], 0x5a, "written again");
  });

  it("a cache made from another build of the bundle is not given to V8", () => {
    const { env, cache } = temp("other-build");
    runRoost(["options", "--json"], { env });
    const file = path.join(cache, files(cache, ".bin")[0]!);
    const data = readFileSync(file, "latin1");
    writeFileSync(file, Buffer.from(data.replace(/^[^\n]*/, "1:2:3:v0:x64"), "latin1"));
    const run = runRoost(["options", "--json"], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.notEqual(readFileSync(file, "latin1").split("\n")[0], "1:2:3:v0:x64", "replaced by this build's");
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

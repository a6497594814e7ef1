import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import fc from "fast-check";
import { shellArgs, shellQuote } from "./shell.ts";
import { nastyString, readShellEnv, refusal, runs } from "./test-support.ts";

const word = fc.oneof(nastyString, fc.string({ unit: "grapheme" })).filter((s) => !s.includes("\0") && !/\p{Cs}/u.test(s));

describe("shellQuote", () => {
  it("gives one word that reads back exactly", () => {
    fc.assert(
      fc.property(word, (s) => {
        assert.equal(readShellEnv(`X=${shellQuote(s)}\n`).X, s);
      }),
      runs,
    );
  });

  it("gives words a real POSIX shell reads back exactly", () => {
    const words = fc.sample(word, { seed: runs.seed, numRuns: 500 });
    const out = execFileSync("/bin/sh", ["-c", `printf '%s\\0' ${shellArgs(words)}`], { encoding: "utf8" });
    assert.deepEqual(out.split("\0").slice(0, -1), words);
  });

  it("leaves plain words bare and quotes the rest", () => {
    assert.equal(
      shellArgs(["/usr/bin/app", "--port=8080", "a b", "it's", "", "$HOME", "A=b", 42]),
      "/usr/bin/app '--port=8080' 'a b' 'it'\\''s' '' '$HOME' 'A=b' 42",
    );
  });

  it("refuses a NUL, which no shell word can hold", () => {
    assert.match(refusal(() => shellQuote("a\0b")).headline, /cannot hold a NUL/);
  });
});

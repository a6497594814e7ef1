import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { mergeOf } from "../../core/test-support.ts";
import { keyValue, type KeyValueSettings } from "./key-value.ts";
import { scalarText } from "./settings.ts";
import {
  assertGolden,
  friendlyString,
  itRoundTrips,
  nastyKey,
  nastyScalar,
  nastyString,
  number,
  objectOf,
  readShellEnv,
  readSystemdEnv,
  refusal,
  runs,
  setOwn,
} from "./test-support.ts";

const asText = (settings: KeyValueSettings) => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings)) setOwn(out, k, scalarText(v));
  return out;
};

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/).filter((k) => k !== "__proto__");
const printable = fc.string({
  unit: fc.oneof(
    fc.constantFrom("\n", "\t", " ", "\\", '"', "'", "`", "$", "%", "#", "=", ";"),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
  ),
  maxLength: 10,
});
const good = objectOf(name, fc.oneof(friendlyString, printable, number, fc.boolean()), 5);
const nasty = fc.oneof(objectOf(fc.oneof(name, nastyKey), nastyScalar, 5), objectOf(name, fc.array(nastyString, { maxLength: 2 })));

const settings = {
  DATABASE_URL: "postgres://app:s3cr%t@localhost/app?sslmode=disable",
  LISTEN: "127.0.0.1:8000",
  WORKERS: 4,
  DEBUG: false,
  GREETING: 'Say "hello" to $USER\'s `friends`\\',
  MOTD: "first line\nsecond line",
  EMPTY: "",
};

describe("formats.keyValue", () => {
  describe("systemd EnvironmentFile", () => {
    itRoundTrips(keyValue(), { good, nasty, read: readSystemdEnv, expected: asText });
    it("writes an app's environment like the golden file", () => {
      const format = keyValue();
      assertGolden("app.env", format.generate(mergeOf(format.type, settings)));
    });
    it("refuses a control character systemd would drop the variable for", () => {
      assert.equal(
        refusal(() => keyValue().generate({ TOKEN: "a\x1bb" })).headline,
        "environment file cannot hold TOKEN: it contains a control character, which systemd refuses in an environment value",
      );
    });
  });

  describe("shell-sourced file", () => {
    const format = keyValue({ quoting: "shell" });
    itRoundTrips(format, { good, nasty, read: readShellEnv, expected: asText });
    it("writes an app's environment like the golden file", () => {
      assertGolden("app-shell.env", format.generate(mergeOf(format.type, settings)));
    });
    it("reads back exactly in a real POSIX shell", () => {
      // Names of their own, so that no value lands in a variable the shell keeps (_, PATH, IFS…).
      const own = name.map((n) => `V_${n}`);
      const cases = fc.sample(objectOf(own, fc.oneof(nastyString, printable), 5), { seed: runs.seed, numRuns: 200 });
      const dir = mkdtempSync(path.join(tmpdir(), "roost-env-"));
      try {
        for (const [i, value] of cases.entries()) {
          const text = (() => {
            try {
              return format.generate(value as KeyValueSettings);
            } catch {
              return undefined;
            }
          })();
          if (text !== undefined) writeFileSync(path.join(dir, `${i}.env`), text);
        }
        // One shell reads every file in a clean environment and prints each variable NUL-separated.
        const script =
          'for f in "$1"/*.env; do (set -a; . "$f"; env -0 | grep -zv -e ^PWD= -e ^OLDPWD= -e ^SHLVL= -e ^_=; printf "%s\\0" "--$f"); done';
        const out = execFileSync("/bin/sh", ["-c", script, "sh", dir], { env: {}, encoding: "utf8" });
        const read = new Map<string, Record<string, string>>();
        let current: Record<string, string> = {};
        for (const item of out.split("\0").slice(0, -1)) {
          if (item.startsWith("--")) {
            read.set(path.basename(item.slice(2), ".env"), current);
            current = {};
          } else {
            const at = item.indexOf("=");
            setOwn(current, item.slice(0, at), item.slice(at + 1));
          }
        }
        let written = 0;
        for (const [i, value] of cases.entries()) {
          const got = read.get(String(i));
          if (!got) continue;
          written++;
          assert.deepEqual(got, asText(value as KeyValueSettings));
        }
        assert.ok(written > 100, `only ${written} of the sampled files could be written`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it("refuses a key that is not a variable name", () => {
    assert.equal(
      refusal(() => keyValue().generate({ "MY-VAR": "x" })).headline,
      "environment file cannot hold MY-VAR: the name is not an environment variable name (letters, digits and _, not starting with a digit): it has a character other than letters, digits and _, or starts with a digit",
    );
    assert.match(refusal(() => keyValue().generate({ LIST: ["a"] } as never)).headline, /cannot hold LIST: it is a list/);
  });
});

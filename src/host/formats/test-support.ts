import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { it } from "node:test";
import fc from "fast-check";
import { RoostError } from "../../core/errors.ts";
import { mergeOf } from "../../core/test-support.ts";
import type { OptionType } from "../../core/types/define.ts";

/** Every property runs this many cases from a fixed seed, so a failure replays the same way. */
export const runs = { seed: 0x5eed, numRuns: 1000 } as const;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** Compares `text` with test/golden/formats/`name`; UPDATE_GOLDEN=1 rewrites the file instead. */
export function assertGolden(name: string, text: string): void {
  const file = path.join(repoRoot, "test/golden/formats", name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  assert.equal(text, readFileSync(file, "utf8"));
}

/** The text after a round trip through UTF-8 bytes, as a file on a host holds it. */
export function throughFile(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}

/** A deep copy with ordinary prototypes and -0 as 0, to compare what a parser returns with what went in. */
export function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "number") return Object.is(value, -0) ? 0 : value;
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) setOwn(out, k, plain(v));
  return out;
}

/** out[key] = value, also for the key __proto__. */
export function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/** What the type makes of `value` as one module's definition: the merged value, or its RoostError. */
export function throughType<V>(type: OptionType<V, any>, value: unknown): { value: V } | { error: RoostError } {
  try {
    return { value: mergeOf(type, value) };
  } catch (e) {
    if (e instanceof RoostError) return { error: e };
    throw e;
  }
}

/** The RoostError that `fn` throws; fails when it throws nothing or something else. */
export function refusal(fn: () => unknown): RoostError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RoostError) return e;
    throw e;
  }
  assert.fail("expected a RoostError");
}

// Arbitraries: characters that break config files, words YAML readers take for other types.

const nastyChar = fc.constantFrom(
  "\n",
  "\r",
  "\t",
  "\0",
  "\x1b",
  "\x7f",
  "\x85",
  "\u2028",
  "\ufeff",
  "\u00a0",
  " ",
  "\\",
  "'",
  '"',
  "`",
  "$",
  "%",
  "=",
  ":",
  ";",
  "#",
  "[",
  "]",
  "{",
  "}",
  "(",
  ")",
  "-",
  "~",
  "&",
  "*",
  "!",
  "|",
  ">",
  "@",
  ",",
  "?",
);
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const specialWord = fc.constantFrom(
  "on",
  "off",
  "yes",
  "No",
  "y",
  "N",
  "true",
  "False",
  "null",
  "NULL",
  "~",
  "1e3",
  "0x1F",
  "0o17",
  "0777",
  "1:20",
  "2001-12-14",
  "<<",
  "=",
  ".inf",
  "-.5",
  "+1",
  "1_000",
  "__proto__",
  "constructor",
  "",
  " ",
  "-",
  "- a",
  "? x",
  "a: b",
  "# c",
);

/** Strings of plain letters and digits, some words readers take for other types, and anything printable. */
export const friendlyString = fc.oneof(
  fc.string({ unit: fc.constantFrom("a", "b", "Z", "_", "0", "9", ".", "/", "-"), maxLength: 8 }),
  specialWord,
  fc.string({ unit: "grapheme", maxLength: 8 }),
);

/** Keys of well-formed data: friendly strings but __proto__. */
export const friendlyKey = friendlyString.filter((k) => k !== "__proto__");

/** Strings with control characters, quotes, \, $, %, line breaks, unicode and lone surrogates. */
export const nastyString = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.string({
      unit: fc.oneof(nastyChar, fc.constantFrom("a", "x", "1"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })),
      maxLength: 10,
    }),
  },
  { weight: 1, arbitrary: fc.string({ unit: fc.oneof(nastyChar, loneSurrogate), maxLength: 4 }) },
  { weight: 1, arbitrary: specialWord },
);

/** Numbers as modules write them, and the awkward ones. */
export const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e21, 2 ** 53, 0.1, 5e-324, -1e-7),
);
export const nastyNumber = fc.oneof(number, fc.constantFrom(NaN, Infinity, -Infinity));

/** An object with own keys from `key` (including __proto__) and values from `value`. */
export function objectOf(key: fc.Arbitrary<string>, value: fc.Arbitrary<unknown>, maxKeys = 4): fc.Arbitrary<Record<string, unknown>> {
  return fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: maxKeys }).map((pairs) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of pairs) setOwn(out, k, v);
    return out;
  });
}

/** JSON-like values of depth at most 3 with the given scalars and keys. */
export function treeOf(scalar: fc.Arbitrary<unknown>, key: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar,
      fc.array(tie("tree"), { maxLength: 3 }),
      objectOf(key, tie("tree"), 3),
    ),
  }));
  return tree;
}

/**
 * The two properties every format must have: values of well-formed data pass its type and read
 * back exactly; any value at all is either refused by both the type and `generate`, each saying
 * why, or written so that it reads back exactly.
 */
export function itRoundTrips<V>(
  format: { readonly type: OptionType<V, any>; generate(value: V): string },
  spec: {
    readonly good: fc.Arbitrary<unknown>;
    readonly nasty: fc.Arbitrary<unknown>;
    read(text: string): unknown;
    expected(value: V): unknown;
  },
): void {
  const roundTrip = (value: V) => assert.deepEqual(plain(spec.read(throughFile(format.generate(value)))), plain(spec.expected(value)));
  it("writes every value of its type so that it reads back exactly", () => {
    fc.assert(
      fc.property(spec.good, (value) => {
        const typed = throughType(format.type, value);
        if ("error" in typed) assert.fail(typed.error.format());
        roundTrip(typed.value);
        roundTrip(value as V);
      }),
      runs,
    );
  });
  it("refuses, saying why, what it cannot write exactly; writes the rest exactly", () => {
    fc.assert(
      fc.property(spec.nasty, (value) => {
        const typed = throughType(format.type, value);
        if ("error" in typed) {
          assert.match(typed.error.format(), /^error: .*(expected|conflicting|no value)/s);
          const e = refusal(() => format.generate(value as V));
          assert.match(e.headline, /cannot hold .*: \S/s);
          return;
        }
        roundTrip(typed.value);
        roundTrip(value as V);
      }),
      runs,
    );
  });
}

export const nastyScalar = fc.oneof(
  { weight: 6, arbitrary: nastyString },
  { weight: 2, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, 10n, new Date(0)) },
);

export const nastyKey = fc.oneof(nastyString, fc.constant("__proto__"));

// Readers: strict parsers of what the real programs read, written from their documented grammar.

/** INI as configparser reads it: `[section]`, `key = value` split at the first = or :, comments on lines of their own. */
export function readIni(text: string, escapePercent = false): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section: Record<string, string[]> | undefined;
  for (const line of text.split("\n")) {
    if (line.trim() === "" || /^\s*[#;]/.test(line)) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      assert.ok(!Object.hasOwn(out, header[1]!), `section [${header[1]}] twice`);
      setOwn(out, header[1]!, (section = {}));
      continue;
    }
    assert.ok(section, `a key before any section: ${line}`);
    assert.doesNotMatch(line, /^\s/, "an indented line continues the previous value");
    const at = line.search(/[=:]/);
    assert.ok(at > 0, `not a key = value line: ${line}`);
    const key = line.slice(0, at).trim();
    let value = line.slice(at + 1).trim();
    if (escapePercent) {
      assert.doesNotMatch(value.replaceAll("%%", ""), /%/, "a lone % is an interpolation");
      value = value.replaceAll("%%", "%");
    }
    if (!Object.hasOwn(section, key)) setOwn(section, key, []);
    section[key]!.push(value);
  }
  return out;
}

/** An EnvironmentFile= as systemd reads it (the state machine of systemd's env-file.c), refusing what systemd would ignore. */
export function readSystemdEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  type State = "preKey" | "key" | "preValue" | "value" | "valueEscape" | "single" | "double" | "doubleEscape" | "comment" | "commentEscape";
  let state: State = "preKey";
  let key = "";
  let value = "";
  let valueSpace = -1;
  const push = () => {
    const name = key.trimEnd();
    assert.match(name, /^[A-Za-z_][A-Za-z0-9_]*$/, `systemd ignores the variable name ${JSON.stringify(name)}`);
    assert.doesNotMatch(value, /[\x00-\x08\x0b-\x1f\x7f]/, `systemd ignores the value of ${name}`);
    setOwn(out, name, value);
    key = value = "";
    valueSpace = -1;
  };
  for (const c of text) {
    switch (state) {
      case "preKey":
        if ("#;".includes(c)) state = "comment";
        else if (!" \t\n\r".includes(c)) (state = "key"), (key = c);
        break;
      case "key":
        if ("\n\r".includes(c)) (state = "preKey"), (key = "");
        else if (c === "=") state = "preValue";
        else key += c;
        break;
      case "preValue":
        if ("\n\r".includes(c)) (state = "preKey"), push();
        else if (c === "'") state = "single";
        else if (c === '"') state = "double";
        else if (c === "\\") state = "valueEscape";
        else if (!" \t\n\r".includes(c)) (state = "value"), (value += c);
        break;
      case "value":
        if ("\n\r".includes(c)) {
          if (valueSpace >= 0) value = value.slice(0, valueSpace);
          state = "preKey";
          push();
        } else if (c === "\\") (state = "valueEscape"), (valueSpace = -1);
        else {
          if (!" \t\n\r".includes(c)) valueSpace = -1;
          else if (valueSpace < 0) valueSpace = value.length;
          value += c;
        }
        break;
      case "valueEscape":
        state = "value";
        if (!"\n\r".includes(c)) value += c;
        break;
      case "single":
        if (c === "'") state = "preValue";
        else value += c;
        break;
      case "double":
        if (c === '"') state = "preValue";
        else if (c === "\\") state = "doubleEscape";
        else value += c;
        break;
      case "doubleEscape":
        state = "double";
        if ('"\\`$'.includes(c)) value += c;
        else if (c !== "\n") value += `\\${c}`;
        break;
      case "comment":
        if (c === "\\") state = "commentEscape";
        else if ("\n\r".includes(c)) state = "preKey";
        break;
      case "commentEscape":
        state = "comment";
        break;
    }
  }
  assert.ok(state === "preKey" || state === "comment", `the file ends inside ${state}`);
  return out;
}

/** Assignments `NAME=word` as a POSIX shell reads them: bare characters, '…' and \x. */
export function readShellEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const name = /^[A-Za-z_][A-Za-z0-9_]*=/.exec(text.slice(i));
    assert.ok(name, `not an assignment at ${JSON.stringify(text.slice(i, i + 20))}`);
    i += name[0].length;
    let value = "";
    while (i < text.length && text[i] !== "\n") {
      const c = text[i]!;
      if (c === "'") {
        const end = text.indexOf("'", i + 1);
        assert.ok(end > i, "an unclosed '");
        value += text.slice(i + 1, end);
        i = end + 1;
      } else if (c === "\\") {
        value += text[i + 1];
        i += 2;
      } else {
        assert.doesNotMatch(c, /[\s"`$&|;<>()*?[\]~#{}]/, `the shell would treat ${JSON.stringify(c)} specially`);
        value += c;
        i++;
      }
    }
    i++;
    setOwn(out, name[0].slice(0, -1), value);
  }
  return out;
}

export interface NginxDirective {
  readonly name: string;
  readonly args: readonly string[];
  readonly block?: readonly NginxDirective[];
}

/** Words, `;`, `{` and `}` as nginx's ngx_conf_read_token splits a file. */
function nginxTokens(text: string): (string | { word: string })[] {
  const out: (string | { word: string })[] = [];
  const space = " \t\r\n";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (space.includes(c)) i++;
    else if (";{}".includes(c)) out.push(c), i++;
    else if (c === "#") while (i < text.length && text[i] !== "\n") i++;
    else if (c === "'" || c === '"') {
      let raw = "";
      i++;
      while (text[i] !== c) {
        assert.ok(i < text.length, "an unclosed quote");
        raw += text[i] === "\\" ? text[i++]! + text[i++]! : text[i++]!;
      }
      i++;
      assert.ok(i >= text.length || `${space};{`.includes(text[i]!), `unexpected ${JSON.stringify(text[i])} after a quoted word`);
      out.push({ word: unescapeNginx(raw) });
    } else {
      let raw = "";
      let variable = false;
      while (i < text.length && (!`${space};{`.includes(text[i]!) || (text[i] === "{" && variable))) {
        variable = text[i] === "$";
        raw += text[i] === "\\" ? text[i++]! + (text[i++] ?? "") : text[i++]!;
      }
      out.push({ word: unescapeNginx(raw) });
    }
  }
  return out;
}

function unescapeNginx(raw: string): string {
  return raw.replace(/\\(["'\\tnr])/g, (_, c: string) => ({ t: "\t", n: "\n", r: "\r" })[c] ?? c);
}

/** An nginx file as directives: name, arguments and block. */
export function readNginx(text: string): NginxDirective[] {
  const tokens = nginxTokens(text);
  let at = 0;
  const block = (top: boolean): NginxDirective[] => {
    const out: NginxDirective[] = [];
    let words: string[] = [];
    for (;;) {
      const t = tokens[at++];
      if (t === undefined) {
        assert.ok(top && words.length === 0, "the file ends inside a directive or block");
        return out;
      }
      if (typeof t !== "string") words.push(t.word);
      else if (t === "}") {
        assert.ok(!top && words.length === 0, "an unexpected }");
        return out;
      } else {
        assert.ok(words.length > 0, `${t} without a directive`);
        out.push({ name: words[0]!, args: words.slice(1), ...(t === "{" ? { block: block(false) } : {}) });
        words = [];
      }
    }
  };
  return block(true);
}

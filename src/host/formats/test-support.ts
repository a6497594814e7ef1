import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
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
  "\n", "\r", "\t", "\0", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "\u00a0", " ", "\\", "'", '"', "`", "$", "%", "=", ":", ";", "#", "[", "]", "{", "}", "(", ")", "-", "~", "&", "*", "!", "|", ">", "@", ",", "?",
);
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const specialWord = fc.constantFrom(
  "on", "off", "yes", "No", "y", "N", "true", "False", "null", "NULL", "~", "1e3", "0x1F", "0o17", "0777", "1:20", "2001-12-14", "<<", "=", ".inf", "-.5", "+1", "1_000", "__proto__", "constructor", "", " ", "-", "- a", "? x", "a: b", "# c",
);

/** Strings of plain letters and digits, some words readers take for other types, and anything printable. */
export const friendlyString = fc.oneof(
  fc.string({ unit: fc.constantFrom("a", "b", "Z", "_", "0", "9", ".", "/", "-"), maxLength: 8 }),
  specialWord,
  fc.string({ unit: "grapheme", maxLength: 8 }),
);

/** Strings with control characters, quotes, \, $, %, line breaks, unicode and lone surrogates. */
export const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: fc.oneof(nastyChar, fc.constantFrom("a", "x", "1"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })), maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.oneof(nastyChar, loneSurrogate), maxLength: 4 }) },
  { weight: 1, arbitrary: specialWord },
);

/** Numbers as modules write them, and the awkward ones. */
export const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e21, 2 ** 53, 0.1, 5e-324, -1e-7));
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
    tree: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, fc.array(tie("tree"), { maxLength: 3 }), objectOf(key, tie("tree"), 3)),
  }));
  return tree;
}

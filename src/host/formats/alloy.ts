import { RoostError, typeMismatch } from "../../core/errors.ts";
import { showPath, type OptionPath } from "../../core/path.ts";
import type { Definable } from "../../core/properties.ts";
import { isProperty } from "../../core/properties.ts";
import { isPlainObject } from "../../core/types/containers.ts";
import { defineType, type OptionType } from "../../core/types/define.ts";
import { jsonLikeShape } from "./json.ts";
import { assertShape, kindName, shapeType, textProblem, type Format } from "./settings.ts";

/** A reference to another component's export: `prometheus.remote_write.default.receiver`. */
export interface AlloyRef {
  readonly $ref: string;
}
/** A function call: `sys.env("X")` is `{ $call: ["sys.env", "X"] }`. */
export interface AlloyCall {
  readonly $call: readonly [string, ...AlloyValue[]];
}
/** An object value: `{ "__address__" = "x" }` is `{ $object: { __address__: "x" } }`. */
export interface AlloyObject {
  readonly $object: { readonly [key: string]: AlloyValue };
}
export type AlloyValue = string | number | boolean | null | readonly AlloyValue[] | AlloyRef | AlloyCall | AlloyObject;
/**
 * A file or a block's body. A key is an attribute (`scrape_interval`) or a block, with its label
 * when it has one (`prometheus.scrape "node"`, `endpoint`); a plain object is one block, a list of
 * plain objects repeats the block, anything else is the attribute's value.
 */
export type AlloyBody = { readonly [key: string]: AlloyValue | AlloyBody | readonly AlloyBody[] };
export type AlloyDefinition = Definable<{ readonly [key: string]: unknown }>;

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const keywords = new Set(["true", "false", "null"]);
const dotted = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const blockKey = /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?: "([A-Za-z_][A-Za-z0-9_]*)")?$/;
const markers = ["$ref", "$call", "$object"] as const;

/** `alloy.ref("prometheus.remote_write.default.receiver")`, `alloy.call("sys.env", "X")`, `alloy.object({…})`. */
export const alloyValues = {
  ref: (path: string): AlloyRef => ({ $ref: path }),
  call: (fn: string, ...args: AlloyValue[]): AlloyCall => ({ $call: [fn, ...args] }),
  object: (fields: { readonly [key: string]: AlloyValue }): AlloyObject => ({ $object: fields }),
};

const isMarker = (v: unknown): boolean => isPlainObject(v) && Object.keys(v).some((k) => k.startsWith("$"));
const isBlock = (v: unknown): boolean => isPlainObject(v) && !isMarker(v);
const isBlockList = (v: unknown): boolean => Array.isArray(v) && v.length > 0 && v.every(isBlock);
const dottedProblem = (s: string, what: string): string | null =>
  !dotted.test(s)
    ? `${JSON.stringify(s)} is not ${what} (identifiers joined by dots)`
    : s.split(".").some((w) => keywords.has(w))
      ? `${JSON.stringify(s)} uses a keyword (true, false, null) as a name`
      : null;

/** Where and why `body` is not an Alloy body, or null. Properties (mkIf, …) are left to the merge. */
export function alloyProblem(body: unknown, at: OptionPath = []): { at: OptionPath; problem: string } | null {
  if (isProperty(body)) return null;
  if (!isBlock(body)) return { at, problem: `it is ${kindName(body)}, not a block body (an object of attributes and blocks)` };
  for (const [key, item] of Object.entries(body as Record<string, unknown>)) {
    const here = [...at, key];
    if (isProperty(item)) continue;
    if (isBlock(item) || isBlockList(item)) {
      const name = blockKey.exec(key);
      if (!name)
        return {
          at: here,
          problem: 'a block is named by identifiers joined by dots, then an identifier label in quotes: prometheus.scrape "node"',
        };
      const bad = dottedProblem(name[1]!, "a block name");
      if (bad) return { at: here, problem: bad };
      const items = Array.isArray(item) ? item : [item];
      for (const [i, b] of items.entries()) {
        const inner = alloyProblem(b, Array.isArray(item) ? [...here, `[${i}]`] : here);
        if (inner) return inner;
      }
      continue;
    }
    if (!identifier.test(key) || keywords.has(key))
      return { at: here, problem: "an attribute's name is one identifier that is not a keyword (a block's value is an object)" };
    if (Array.isArray(item) && item.some(isBlock))
      return { at: here, problem: "a list mixes blocks with values; write an object value as { $object: {…} }" };
    const inner = valueProblem(item, here);
    if (inner) return inner;
  }
  return null;
}

function valueProblem(value: unknown, at: OptionPath): { at: OptionPath; problem: string } | null {
  if (isProperty(value)) return null;
  if (typeof value === "string") {
    const p = textProblem(value);
    return p ? { at, problem: p } : null;
  }
  if (typeof value === "number") return Number.isFinite(value) ? null : { at, problem: `${value} is not a finite number` };
  if (typeof value === "boolean" || value === null) return null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const p = valueProblem(v, [...at, `[${i}]`]);
      if (p) return p;
    }
    return null;
  }
  if (!isPlainObject(value)) return { at, problem: `it is ${kindName(value)}` };
  const keys = Object.keys(value);
  const marker = keys.length === 1 ? markers.find((m) => m === keys[0]) : undefined;
  if (!marker)
    return {
      at,
      problem: `an object here is a reference { $ref: "a.b" }, a call { $call: ["f", …args] } or an object value { $object: {…} }, not keys ${JSON.stringify(keys)}`,
    };
  const inner = (value as Record<string, unknown>)[marker];
  const here = [...at, marker];
  if (isProperty(inner)) return null;
  if (marker === "$ref") {
    const p = typeof inner === "string" ? dottedProblem(inner, "a reference") : `it is ${kindName(inner)}`;
    return p ? { at: here, problem: p } : null;
  }
  if (marker === "$call") {
    if (!Array.isArray(inner) || inner.length === 0)
      return { at: here, problem: "a call is a list: the function's name, then its arguments" };
    const p = typeof inner[0] === "string" ? dottedProblem(inner[0], "a function name") : `the function's name is ${kindName(inner[0])}`;
    if (p) return { at: [...here, "[0]"], problem: p };
    for (const [i, v] of inner.entries()) {
      const q = i === 0 ? null : valueProblem(v, [...here, `[${i}]`]);
      if (q) return q;
    }
    return null;
  }
  if (!isPlainObject(inner)) return { at: here, problem: `it is ${kindName(inner)}, not an object` };
  for (const [k, v] of Object.entries(inner as Record<string, unknown>)) {
    const bad = textProblem(k);
    if (bad) return { at: [...here, k], problem: bad };
    const p = valueProblem(v, [...here, k]);
    if (p) return p;
  }
  return null;
}

/** Alloy's string literal: Go escapes, everything else as it is (a BOM inside a file is refused by the scanner). */
export function alloyString(s: string): string {
  return `"${s.replace(/[\\"\x00-\x1f\x7f\ufeff]/g, (c) => {
    const named: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  })}"`;
}

const key = (k: string) => (identifier.test(k) && !keywords.has(k) ? k : alloyString(k));

function value(v: AlloyValue, indent: string): string {
  if (typeof v === "string") return alloyString(v);
  if (typeof v === "number") return String(Object.is(v, -0) ? 0 : v);
  if (typeof v === "boolean" || v === null) return String(v);
  const inner = `${indent}\t`;
  if (Array.isArray(v)) {
    const items = (v as readonly AlloyValue[]).map((x) => value(x, inner));
    const line = `[${items.join(", ")}]`;
    return line.length <= 60 && !line.includes("\n") ? line : `[\n${items.map((x) => `${inner}${x},\n`).join("")}${indent}]`;
  }
  if ("$ref" in v) return v.$ref;
  if ("$call" in v)
    return `${v.$call[0]}(${v.$call
      .slice(1)
      .map((x) => value(x as AlloyValue, indent))
      .join(", ")})`;
  const fields = Object.entries((v as AlloyObject).$object);
  if (fields.length === 0) return "{}";
  return `{\n${fields.map(([k, x]) => `${inner}${key(k)} = ${value(x as AlloyValue, inner)},\n`).join("")}${indent}}`;
}

function body(b: AlloyBody, indent: string): string[] {
  const attrs: string[] = [];
  const blocks: string[][] = [];
  for (const [k, item] of Object.entries(b)) {
    if (isBlock(item) || isBlockList(item)) {
      const [, name, label] = blockKey.exec(k)!;
      const head = label === undefined ? name! : `${name} ${alloyString(label)}`;
      for (const one of (Array.isArray(item) ? item : [item]) as AlloyBody[]) {
        const inner = body(one, `${indent}\t`);
        blocks.push(inner.length === 0 ? [`${indent}${head} { }`] : [`${indent}${head} {`, ...inner, `${indent}}`]);
      }
    } else attrs.push(`${indent}${k} = ${value(item as AlloyValue, indent)}`);
  }
  const out = [...attrs];
  for (const block of blocks) {
    if (out.length > 0) out.push("");
    out.push(...block);
  }
  return out;
}

const description =
  'an Alloy configuration body: blocks by name and label (prometheus.scrape "node": { … }), attributes with strings, finite numbers, booleans, null, lists, { $ref }, { $call } or { $object } values';

/**
 * Grafana Alloy's configuration syntax from a typed model of blocks and attributes (see AlloyBody),
 * indented with tabs as `alloy fmt` writes it: attributes first, then blocks, a blank line between
 * blocks. Strings are double-quoted with Go escapes; references and calls are written bare.
 * Merged values have their keys sorted; Alloy does not care about the order of components.
 */
export function alloy(): Format<AlloyBody, AlloyDefinition> {
  const shape = jsonLikeShape("Alloy");
  const tree = shapeType(shape);
  const refuse = (at: OptionPath, problem: string): never => {
    throw new RoostError(`alloy cannot hold ${at.length ? showPath(at) : "the value"}: ${problem}`, [], `expected ${description}`);
  };
  const type: OptionType<AlloyBody, AlloyDefinition> = defineType({
    name: "Alloy configuration",
    description,
    check(v) {
      const base = tree.check(v);
      if (base !== true) return base;
      const p = alloyProblem(v);
      return p ? `${p.at.length ? `at ${showPath(p.at)}, ` : ""}${p.problem}` : true;
    },
    merge(path, defs) {
      const merged = tree.merge(path, defs);
      const p = alloyProblem(merged);
      if (p) throw typeMismatch([...path, ...p.at], description, defs.at(-1)!, p.problem);
      return merged;
    },
  });
  return Object.freeze({
    name: "alloy",
    type,
    generate(v: AlloyBody): string {
      assertShape("alloy", shape, v);
      const p = alloyProblem(v);
      if (p) refuse(p.at, p.problem);
      return `${body(v, "").join("\n")}\n`;
    },
  });
}

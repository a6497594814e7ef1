import { RoostError } from "../../core/errors.ts";
import type { AlloyBody, AlloyValue } from "./alloy.ts";

/** A reference or a block as it stands in the text, with its 1-based line. */
export interface AlloyReference {
  readonly ref: string;
  readonly line: number;
}
export interface AlloyComponent {
  /** The block's name and label as one dotted path: `prometheus.scrape.node`. */
  readonly id: string;
  readonly line: number;
}
export interface AlloyReading {
  readonly body: AlloyBody;
  /** Every reference in an attribute value (not a call's name), in file order. */
  readonly references: readonly AlloyReference[];
  /** Every top-level block (Alloy's components and config blocks such as logging). */
  readonly components: readonly AlloyComponent[];
}

type Token =
  | { kind: "ident"; text: string; line: number }
  | { kind: "string"; value: string; line: number }
  | { kind: "number"; value: number; line: number }
  | { kind: "punct"; text: string; line: number }
  | { kind: "eof"; line: number };

const fail = (line: number, what: string): never => {
  throw new RoostError(`alloy syntax error on line ${line}: ${what}`);
};

function unescapeString(raw: string, line: number): string {
  return raw.replace(
    /\\(?:([abfnrtv\\"])|([0-7]{3})|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([\s\S]?))/g,
    (_m, c, oct, x, u, U, bad) => {
      if (c)
        return ({ a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"' } as Record<string, string>)[c]!;
      if (oct) return String.fromCodePoint(Number.parseInt(oct, 8));
      const hex = x ?? u ?? U;
      if (hex) {
        const code = Number.parseInt(hex, 16);
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) fail(line, `\\${hex} is not a character`);
        return String.fromCodePoint(code);
      }
      return fail(line, `unknown escape \\${bad}`);
    },
  );
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r") i++;
    else if (text.startsWith("//", i)) while (i < text.length && text[i] !== "\n") i++;
    else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) fail(line, "a comment is not closed");
      line += text.slice(i, end).split("\n").length - 1;
      i = end + 2;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\n") fail(line, "a string runs past the end of its line");
        j += text[j] === "\\" ? 2 : 1;
      }
      if (j >= text.length) fail(line, "a string is not closed");
      const raw = text.slice(i + 1, j);
      if (/[\x00\ufeff]/.test(raw)) fail(line, "a string holds a NUL or a byte order mark");
      out.push({ kind: "string", value: unescapeString(raw, line), line });
      i = j + 1;
    } else if (c === "`") {
      const end = text.indexOf("`", i + 1);
      if (end < 0) fail(line, "a raw string is not closed");
      const raw = text.slice(i + 1, end);
      out.push({ kind: "string", value: raw.replaceAll("\r", ""), line });
      line += raw.split("\n").length - 1;
      i = end + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^(?:0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)/.exec(text.slice(i))!;
      out.push({ kind: "number", value: Number(m[0]), line });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      out.push({ kind: "ident", text: m[0], line });
      i += m[0].length;
    } else if ("{}[]()=,.-".includes(c)) {
      out.push({ kind: "punct", text: c, line });
      i++;
    } else fail(line, `unexpected ${JSON.stringify(c)}`);
  }
  out.push({ kind: "eof", line });
  return out;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Reads Alloy's configuration syntax back into the model `formats.alloy()` writes: blocks and
 * attributes, strings (Go escapes, raw `…` strings), numbers, booleans, null, lists, objects,
 * references and calls. Binary operators, indexing and field access on values are refused.
 */
export function readAlloy(text: string): AlloyReading {
  const tokens = tokenize(text);
  const references: AlloyReference[] = [];
  const components: AlloyComponent[] = [];
  let at = 0;
  const peek = () => tokens[at]!;
  const next = () => tokens[at++]!;
  const isPunct = (t: Token, p: string) => t.kind === "punct" && t.text === p;
  const expect = (p: string) => {
    const t = next();
    if (!isPunct(t, p)) fail(t.line, `expected ${p}`);
  };
  const dottedName = (): string => {
    const first = next();
    if (first.kind !== "ident") return fail(first.line, "expected a name");
    let name = first.text;
    while (isPunct(peek(), ".")) {
      next();
      const part = next();
      if (part.kind !== "ident") fail(part.line, "expected a name after .");
      name += `.${(part as { text: string }).text}`;
    }
    return name;
  };

  const expression = (): AlloyValue => {
    const t = peek();
    if (t.kind === "string" || t.kind === "number") {
      next();
      return t.value;
    }
    if (isPunct(t, "-")) {
      next();
      const n = next();
      if (n.kind !== "number") fail(n.line, "expected a number after -");
      return -(n as { value: number }).value;
    }
    if (isPunct(t, "[")) {
      next();
      const items: AlloyValue[] = [];
      while (!isPunct(peek(), "]")) {
        items.push(expression());
        if (!isPunct(peek(), "]")) expect(",");
      }
      next();
      return items;
    }
    if (isPunct(t, "{")) {
      next();
      const fields: Record<string, AlloyValue> = {};
      while (!isPunct(peek(), "}")) {
        const k = next();
        if (k.kind !== "ident" && k.kind !== "string") fail(k.line, "expected an object key");
        const name = k.kind === "ident" ? k.text : (k as { value: string }).value;
        if (Object.hasOwn(fields, name)) fail(k.line, `the key ${JSON.stringify(name)} twice`);
        expect("=");
        setOwn(fields, name, expression());
        if (!isPunct(peek(), "}")) expect(",");
      }
      next();
      return { $object: fields };
    }
    if (t.kind === "ident") {
      if (t.text === "true" || t.text === "false" || t.text === "null") {
        next();
        return t.text === "null" ? null : t.text === "true";
      }
      const name = dottedName();
      if (isPunct(peek(), "(")) {
        next();
        const args: AlloyValue[] = [];
        while (!isPunct(peek(), ")")) {
          args.push(expression());
          if (!isPunct(peek(), ")")) expect(",");
        }
        next();
        return { $call: [name, ...args] };
      }
      references.push({ ref: name, line: t.line });
      return { $ref: name };
    }
    return fail(t.line, "expected a value");
  };

  const body = (top: boolean): AlloyBody => {
    const out: Record<string, unknown> = {};
    const kinds = new Map<string, "attr" | "block">();
    for (;;) {
      const t = peek();
      if (t.kind === "eof") {
        if (!top) fail(t.line, "the file ends inside a block");
        return out as AlloyBody;
      }
      if (isPunct(t, "}")) {
        if (top) fail(t.line, "an unexpected }");
        next();
        return out as AlloyBody;
      }
      const name = dottedName();
      const after = next();
      if (isPunct(after, "=")) {
        if (name.includes(".")) fail(after.line, `an attribute's name is one identifier, not ${name}`);
        if (kinds.has(name)) fail(after.line, `${name} twice`);
        kinds.set(name, "attr");
        setOwn(out, name, expression());
        continue;
      }
      let label: string | undefined;
      let open = after;
      if (after.kind === "string") {
        label = after.value;
        open = next();
      }
      if (!isPunct(open, "{")) fail(open.line, `expected = or { after ${name}`);
      const k = label === undefined ? name : `${name} "${label}"`;
      if (kinds.get(k) === "attr") fail(t.line, `${name} is an attribute and a block`);
      if (top) components.push({ id: label === undefined ? name : `${name}.${label}`, line: t.line });
      const inner = body(false);
      if (!kinds.has(k)) setOwn(out, k, inner);
      else if (Array.isArray(out[k])) (out[k] as unknown[]).push(inner);
      else setOwn(out, k, [out[k], inner]);
      kinds.set(k, "block");
    }
  };

  return { body: body(true), references, components };
}

/** The model `text` holds. */
export function parseAlloy(text: string): AlloyBody {
  return readAlloy(text).body;
}

/**
 * References that name no component declared in the text: the part before an export must be a
 * top-level block's name and label (`prometheus.remote_write.default` for
 * `prometheus.remote_write.default.receiver`). `builtins` are namespaces Alloy itself provides.
 */
export function unresolvedReferences(reading: AlloyReading, builtins: readonly string[] = ["constants"]): AlloyReference[] {
  const ids = new Set(reading.components.map((c) => c.id));
  return reading.references.filter((r) => {
    const parts = r.ref.split(".");
    if (builtins.includes(parts[0]!)) return false;
    return !parts.some((_, i) => i > 0 && i < parts.length && ids.has(parts.slice(0, i).join(".")));
  });
}

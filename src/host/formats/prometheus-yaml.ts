import { defineFormat, type Format } from "./settings.ts";
import { jsonLikeShape, type JsonDefinition, type JsonValue } from "./json.ts";

/** Strings written without quotes: nothing any YAML reader, 1.1 or 1.2, takes for another type. */
const plain = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
/** Words YAML 1.1 (y, n, yes, no, on, off) or 1.2 (true, false, null) reads as booleans or null. */
const reserved = /^(y|n|yes|no|on|off|true|false|null)$/i;

/**
 * YAML as Prometheus, VictoriaMetrics and Alertmanager read it (go-yaml, YAML 1.1 rules): block
 * style, every string that is not a plain word quoted (so `on`, `yes`, `1e3`, `0755`, `10s` stay
 * strings), quoted strings escaped like JSON plus the characters YAML treats as line breaks or
 * forbids raw, and numbers spelled so every reader takes them as numbers. Keys in the value's
 * order (sorted, for a merged value).
 */
export function prometheusYaml(): Format<JsonValue, JsonDefinition> {
  return defineFormat("prometheus yaml", jsonLikeShape("YAML"), (value) => `${lines(value, "").join("\n")}\n`);
}

function lines(value: JsonValue, indent: string): string[] {
  if (Array.isArray(value) && value.length > 0) {
    return value.flatMap((item: JsonValue) => {
      const [first, ...rest] = nested(item) ? lines(item, `${indent}  `) : [`${indent}  ${scalar(item)}`];
      return [`${indent}- ${first!.slice(indent.length + 2)}`, ...rest];
    });
  }
  if (isObject(value) && Object.keys(value).length > 0) {
    return Object.entries(value).flatMap(([key, item]) =>
      nested(item) ? [`${indent}${str(key)}:`, ...lines(item, `${indent}  `)] : [`${indent}${str(key)}: ${scalar(item)}`],
    );
  }
  return [`${indent}${scalar(value)}`];
}

function isObject(value: JsonValue): value is { readonly [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty list or object, written as a block below its key. */
function nested(value: JsonValue): boolean {
  return (Array.isArray(value) || isObject(value)) && Object.keys(value).length > 0;
}

function scalar(value: JsonValue): string {
  if (Array.isArray(value)) return "[]";
  if (isObject(value)) return "{}";
  if (value === null) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return num(value);
  return str(value as string);
}

/** YAML 1.1 reads a float only with a dot and a signed exponent: 1e+21 is written 1.0e+21. */
function num(n: number): string {
  const s = String(Object.is(n, -0) ? 0 : n);
  return /e/.test(s) && !s.includes(".") ? s.replace("e", ".0e") : s;
}

function str(s: string): string {
  if (plain.test(s) && !reserved.test(s)) return s;
  return `"${[...s].map(quoted).join("")}"`;
}

/** JSON's escapes, and \u escapes for C0/C1 controls, DEL, NEL, the line separators, BOM and noncharacters. */
function quoted(ch: string): string {
  if (ch === '"') return '\\"';
  if (ch === "\\") return "\\\\";
  if (ch === "\n") return "\\n";
  if (ch === "\t") return "\\t";
  if (/[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/.test(ch)) return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
  return ch;
}

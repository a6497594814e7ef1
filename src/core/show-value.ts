import { PROPERTY, isProperty } from "./properties.ts";

/** A short, single-line rendering of a value for error messages. */
export function showValue(value: unknown, max = 80): string {
  const text = render(value, 0);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function render(value: unknown, depth: number): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "<function>";
  if (typeof value !== "object" || value === null) return String(value);
  if (isProperty(value)) return `<mk${value[PROPERTY]}>`;
  if (depth > 3) return Array.isArray(value) ? "[…]" : "{…}";
  if (Array.isArray(value)) return `[${value.map((v) => render(v, depth + 1)).join(", ")}]`;
  const tag = (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];
  if (tag) return `<${tag}>`;
  const entries = Object.keys(value).map((k) => `${k}: ${render((value as Record<string, unknown>)[k], depth + 1)}`);
  return `{ ${entries.join(", ")} }`;
}

import type { Definable } from "../../core/properties.ts";
import { atom, baseKeyProblem, defineFormat, type Format, type Shape } from "./settings.ts";

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonDefinition = Definable<
  null | boolean | number | string | readonly JsonDefinition[] | { readonly [key: string]: JsonDefinition }
>;

/** Any JSON value: null, booleans, finite numbers, strings, lists and objects (the shape YAML shares). */
export function jsonLikeShape(format: string): Shape {
  const shape: Shape = {
    name: `${format} value`,
    description: `a ${format} value (null, boolean, finite number, string, list or object)`,
    scalar: atom({ allowNull: true }),
    list: { item: () => shape },
    attrs: { key: { description: "a key", problem: baseKeyProblem }, value: () => shape },
  };
  return shape;
}

/**
 * JSON, indented by two spaces, keys in the value's order (sorted, for a merged value), ending in a
 * newline. `-0` is written `0`.
 */
export function json(): Format<JsonValue, JsonDefinition> {
  return defineFormat("json", jsonLikeShape("JSON"), (value) => `${JSON.stringify(value, null, 2)}\n`);
}

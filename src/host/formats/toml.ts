import * as TOML from "smol-toml";
import type { Definable } from "../../core/properties.ts";
import { atom, baseKeyProblem, defineFormat, type Format, type Shape } from "./settings.ts";

export type TomlValue = boolean | number | string | readonly TomlValue[] | TomlTable;
export type TomlTable = { readonly [key: string]: TomlValue };
type TomlDefinitionValue = boolean | number | string | readonly Definable<TomlDefinitionValue>[] | TomlDefinition;
export type TomlDefinition = { readonly [key: string]: Definable<TomlDefinitionValue> };

/**
 * TOML (via smol-toml): a table of keys. Safe integers are written as TOML integers, other numbers
 * as floats; TOML has no null. In each table the plain values come first (TOML requires it), then
 * sub-tables and arrays of tables, each group in the value's order (sorted, for a merged value).
 */
export function toml(): Format<TomlTable, TomlDefinition> {
  const scalar = atom({ nullReason: "it is null, which TOML has no way to write (leave the key out)" });
  const key = { description: "a key", problem: baseKeyProblem };
  const value: Shape = {
    name: "toml value",
    description: "a TOML value (a string, finite number, boolean, list or table; no null)",
    scalar,
    list: { item: () => value },
    attrs: { key, value: () => value },
  };
  const table: Shape = { name: "toml", description: "a TOML table (an object)", attrs: { key, value: () => value } };
  return defineFormat("toml", table, (settings) => {
    const text = TOML.stringify(settings);
    return text === "" || text.endsWith("\n") ? text : `${text}\n`;
  });
}

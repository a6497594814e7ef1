import { conflict, typeMismatch } from "./errors.ts";
import type { CallSite } from "./location.ts";
import type { OptionPath } from "./path.ts";
import { PROPERTY, isProperty, orders, priorities } from "./properties.ts";
import type { Definition, OptionType } from "./types/define.ts";

/** A definition as written: its value may still be wrapped in mkIf/mkMerge/mkOverride/mkOrder. */
export interface RawDefinition {
  readonly value: unknown;
  readonly site: CallSite;
  readonly priority?: number;
  readonly order?: number;
}

/** Unwrap the properties at the top of a definition into plain definitions. */
export function discharge(def: RawDefinition, out: Definition[] = []): Definition[] {
  const { value, site } = def;
  if (!isProperty(value)) {
    out.push({ value, site, priority: def.priority ?? priorities.plain, order: def.order ?? orders.default });
    return out;
  }
  switch (value[PROPERTY]) {
    case "if":
      if (value.condition) discharge({ ...def, value: value.content, site: value.site }, out);
      break;
    case "merge":
      for (const content of value.contents) discharge({ ...def, value: content, site: value.site }, out);
      break;
    case "override":
      discharge({ ...def, value: value.content, site: value.site, priority: value.priority }, out);
      break;
    case "order":
      discharge({ ...def, value: value.content, site: value.site, order: value.order }, out);
      break;
  }
  return out;
}

export type Merged<V> = { readonly defined: true; readonly value: V; readonly defs: readonly Definition[] } | { readonly defined: false };

/**
 * nixpkgs' mergeDefinitions: unwrap properties, keep the strongest priority, sort by order, check
 * every definition against the type and let the type merge them.
 */
export function mergeDefinitions<V>(path: OptionPath, type: OptionType<V, any>, raw: readonly RawDefinition[]): Merged<V> {
  const all: Definition[] = [];
  for (const r of raw) discharge(r, all);
  if (all.length === 0) return { defined: false };
  let best = Infinity;
  for (const d of all) if (d.priority < best) best = d.priority;
  const defs = all.filter((d) => d.priority === best);
  if (defs.length > 1) defs.sort((a, b) => a.order - b.order);
  for (const d of defs) {
    const ok = type.check(d.value);
    if (ok !== true) throw typeMismatch(path, type.description, d, typeof ok === "string" ? ok : undefined, type.sensitive);
  }
  return { defined: true, value: type.merge(path, defs), defs };
}

/** Merge for types whose definitions must all agree (bool, int, str, enum, …). */
export function mergeEqual<V>(
  path: OptionPath,
  defs: readonly Definition[],
  typeName: string,
  normalize: (v: unknown) => V = (v) => v as V,
): V {
  const first = normalize(defs[0]!.value);
  const key = canonical(first);
  for (const d of defs.slice(1)) {
    if (canonical(normalize(d.value)) !== key) throw conflict(path, typeName, defs);
  }
  return first;
}

/**
 * A deterministic text for any definition value: object keys sorted, properties spelled out.
 * Two values with the same text merge as equal.
 */
export function canonical(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? String(value);
  if (isProperty(value)) {
    const { site: _site, ...rest } = value as unknown as Record<string, unknown>;
    return `mk${value[PROPERTY]}(${canonical(rest)})`;
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

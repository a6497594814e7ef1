import { conflict, typeMismatch } from "../errors.ts";
import { mergeDefinitions, mergeEqual, type RawDefinition } from "../merge.ts";
import type { OptionPath } from "../path.ts";
import type { Definable } from "../properties.ts";
import { isProperty } from "../properties.ts";
import { defineType, type DefinitionOf, type OptionType, type ValueOf } from "./define.ts";

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v) || isProperty(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** null, or a value of `elem`. All definitions must agree on being null. */
export function nullOr<T extends OptionType<any, any>>(elem: T): OptionType<ValueOf<T> | null, DefinitionOf<T> | null> {
  return defineType({
    name: `nullOr<${elem.name}>`,
    description: `null or ${elem.description}`,
    sensitive: elem.sensitive,
    nested: { elem },
    subOptions: elem.subOptions,
    check: (v) => v === null || elem.check(v),
    merge(path, defs) {
      const nulls = defs.filter((d) => d.value === null).length;
      if (nulls === defs.length) return null;
      if (nulls > 0) throw conflict(path, `null or ${elem.name}`, defs, elem.sensitive);
      return elem.merge(path, defs);
    },
  });
}

/** A list; definitions concatenate in order (mkBefore/mkAfter move them). */
export function listOf<T extends OptionType<any, any>>(elem: T): OptionType<ValueOf<T>[], readonly Definable<DefinitionOf<T>>[]> {
  return defineType({
    name: `listOf<${elem.name}>`,
    description: `list of ${elem.description}`,
    sensitive: elem.sensitive,
    nested: { elem },
    subOptions: elem.subOptions,
    check: (v) => Array.isArray(v) || "it is not a list",
    merge(path, defs) {
      const out: ValueOf<T>[] = [];
      for (const d of defs) {
        for (const item of d.value as unknown[]) {
          const merged = mergeDefinitions(elementPath(path, out.length), elem, [{ value: item, site: d.site }]);
          if (merged.defined) out.push(merged.value as ValueOf<T>);
        }
      }
      return Object.freeze(out) as ValueOf<T>[];
    },
  });
}

/** An attribute set whose values are of `elem`; definitions merge key by key. */
export function attrsOf<T extends OptionType<any, any>>(
  elem: T,
  /** A type the attribute names must fit (e.g. absolute paths). */
  keys?: OptionType<string>,
): OptionType<Record<string, ValueOf<T>>, Readonly<Record<string, Definable<DefinitionOf<T>>>>> {
  return defineType({
    name: `attrsOf<${elem.name}>`,
    description: `attribute set of ${elem.description}${keys ? ` by ${keys.description}` : ""}`,
    sensitive: elem.sensitive,
    nested: { elem },
    subOptions: elem.subOptions,
    check: (v) => isPlainObject(v) || "it is not an object",
    merge(path, defs) {
      const perKey = new Map<string, RawDefinition[]>();
      for (const d of defs) {
        for (const [key, value] of Object.entries(d.value as Record<string, unknown>)) {
          const ok = keys ? keys.check(key) : true;
          if (ok !== true) throw typeMismatch([...path, key], `a name that is ${keys!.description}`, { value: key, site: d.site }, typeof ok === "string" ? ok : undefined);
          let list = perKey.get(key);
          if (!list) perKey.set(key, (list = []));
          list.push({ value, site: d.site });
        }
      }
      const out: Record<string, ValueOf<T>> = {};
      for (const key of [...perKey.keys()].sort()) {
        const merged = mergeDefinitions([...path, key], elem, perKey.get(key)!);
        if (merged.defined) out[key] = merged.value as ValueOf<T>;
      }
      return Object.freeze(out);
    },
  });
}

/** A value of the first type in `types` that every definition fits. */
export function oneOf<const Ts extends readonly OptionType<any, any>[]>(
  types: Ts,
): OptionType<ValueOf<Ts[number]>, DefinitionOf<Ts[number]>> {
  const description = types.map((t) => t.description).join(" or ");
  return defineType({
    name: types.map((t) => t.name).join(" | "),
    description,
    nested: Object.fromEntries(types.map((t, i) => [String(i), t])),
    check: (v) => types.some((t) => t.check(v) === true),
    merge(path, defs) {
      for (const t of types) {
        if (defs.every((d) => t.check(d.value) === true)) return t.merge(path, defs);
      }
      throw conflict(path, description, defs);
    },
  });
}

export function either<A extends OptionType<any, any>, B extends OptionType<any, any>>(a: A, b: B) {
  return oneOf([a, b] as const);
}

/**
 * Any JSON-like value, for raw settings passed through to a config file: objects merge key by key,
 * lists concatenate, scalars must agree.
 */
export const anything: OptionType<unknown> = defineType<unknown>({
  name: "anything",
  description: "any value",
  check: () => true,
  merge: mergeAnything,
});

function mergeAnything(path: OptionPath, defs: Parameters<OptionType["merge"]>[1]): unknown {
  if (defs.every((d) => isPlainObject(d.value))) {
    const merged = attrsOf(anything).merge(path, defs);
    return merged;
  }
  if (defs.every((d) => Array.isArray(d.value))) return Object.freeze(defs.flatMap((d) => d.value as unknown[]));
  if (defs.some((d) => typeof d.value === "function")) throw typeMismatch(path, "plain value", defs.find((d) => typeof d.value === "function")!);
  return mergeEqual(path, defs, "anything");
}

export function elementPath(path: OptionPath, index: number): OptionPath {
  return [...path, `[${index}]`];
}


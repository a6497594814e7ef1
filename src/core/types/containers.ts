import { conflict, typeMismatch } from "../errors.ts";
import { mergeDefinitions, mergeEqual, type RawDefinition } from "../merge.ts";
import type { OptionPath } from "../path.ts";
import type { Definable } from "../properties.ts";
import { isProperty } from "../properties.ts";
import { defineType, mergeTypes, type DefinitionOf, type OptionType, type ValueOf } from "./define.ts";

/** What each container type was built from, so that two declarations can merge their element types. */
const containers = new WeakMap<
  OptionType<any, any>,
  { readonly kind: "nullOr" | "listOf" | "attrsOf"; readonly elem: OptionType<any, any>; readonly keys?: OptionType<string> }
>();

function container<T extends OptionType<any, any>>(
  type: T,
  kind: "nullOr" | "listOf" | "attrsOf",
  elem: OptionType<any, any>,
  keys?: OptionType<string>,
): T {
  containers.set(type, { kind, elem, keys });
  return type;
}

/** The element types of two containers of the same kind (and key type), merged; null otherwise. */
function mergeElements(
  kind: "nullOr" | "listOf" | "attrsOf",
  elem: OptionType<any, any>,
  keys: OptionType<string> | undefined,
  other: OptionType<any, any>,
  path: OptionPath,
): OptionType<any, any> | null {
  const o = containers.get(other);
  if (!o || o.kind !== kind) return null;
  if (keys !== o.keys && !(keys && o.keys && mergeTypes(keys, o.keys, path) === keys)) return null;
  const inner = kind === "attrsOf" ? [...path, "<name>"] : kind === "listOf" ? [...path, "*"] : path;
  return mergeTypes(elem, o.elem, inner);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v) || isProperty(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** null, or a value of `elem`. All definitions must agree on being null. */
export function nullOr<T extends OptionType<any, any>>(elem: T): OptionType<ValueOf<T> | null, DefinitionOf<T> | null> {
  return container(
    defineType({
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
      typeMerge(other, path) {
        const e = mergeElements("nullOr", elem, undefined, other, path);
        return e && nullOr(e);
      },
    }),
    "nullOr",
    elem,
  );
}

/** A list; definitions concatenate in order (mkBefore/mkAfter move them). */
export function listOf<T extends OptionType<any, any>>(elem: T): OptionType<ValueOf<T>[], readonly Definable<DefinitionOf<T>>[]> {
  return container(
    defineType({
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
      typeMerge(other, path) {
        const e = mergeElements("listOf", elem, undefined, other, path);
        return e && listOf(e);
      },
    }),
    "listOf",
    elem,
  );
}

/** An attribute set whose values are of `elem`; definitions merge key by key. */
export function attrsOf<T extends OptionType<any, any>>(
  elem: T,
  /** A type the attribute names must fit (e.g. absolute paths). */
  keys?: OptionType<string>,
): OptionType<Record<string, ValueOf<T>>, Readonly<Record<string, Definable<DefinitionOf<T>>>>> {
  return container(
    defineType({
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
            const ok =
              key === "__proto__"
                ? "__proto__ cannot be a name: JavaScript objects treat it as their prototype"
                : keys
                  ? keys.check(key)
                  : true;
            if (ok !== true)
              throw typeMismatch(
                [...path, key],
                `a name that is ${keys?.description ?? "a string"}`,
                { value: key, site: d.site },
                typeof ok === "string" ? ok : undefined,
              );
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
      typeMerge(other, path) {
        const e = mergeElements("attrsOf", elem, keys, other, path);
        return e && attrsOf(e, keys);
      },
    }),
    "attrsOf",
    elem,
    keys,
  );
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
    check: (v) => {
      const results = types.map((t) => t.check(v));
      // The reason of a type that recognised the value's shape says more than "expected a or b".
      return results.includes(true) || (results.find((r): r is string => typeof r === "string") ?? false);
    },
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
  check: jsonLikeProblem,
  merge: mergeAnything,
});

/** true for a JSON-like value (objects are checked key by key when they merge; lists here). */
function jsonLikeProblem(v: unknown): true | string {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v) || `${v} is not a finite number`;
  if (Array.isArray(v)) {
    for (const item of v) {
      const problem = isPlainObject(item)
        ? (Object.values(item)
            .map(jsonLikeProblem)
            .find((p) => p !== true) ?? true)
        : jsonLikeProblem(item);
      if (problem !== true) return `an element is not a plain value: ${problem}`;
    }
    return true;
  }
  if (isPlainObject(v)) return true;
  return `it is a ${typeof v === "object" ? (Object.getPrototypeOf(v)?.constructor?.name ?? "object") : typeof v}, not a plain value (string, number, boolean, null, list or object)`;
}

function mergeAnything(path: OptionPath, defs: Parameters<OptionType["merge"]>[1]): unknown {
  if (defs.every((d) => isPlainObject(d.value))) {
    const merged = attrsOf(anything).merge(path, defs);
    return merged;
  }
  if (defs.every((d) => Array.isArray(d.value))) return Object.freeze(defs.flatMap((d) => d.value as unknown[]));
  if (defs.some((d) => typeof d.value === "function"))
    throw typeMismatch(path, "plain value", defs.find((d) => typeof d.value === "function")!);
  return mergeEqual(path, defs, "anything");
}

export function elementPath(path: OptionPath, index: number): OptionPath {
  return [...path, `[${index}]`];
}

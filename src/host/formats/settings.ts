import { conflict, RoostError } from "../../core/errors.ts";
import { mergeEqual } from "../../core/merge.ts";
import { showPath, type OptionPath } from "../../core/path.ts";
import { isProperty, PROPERTY } from "../../core/properties.ts";
import { attrsOf, isPlainObject, listOf } from "../../core/types/containers.ts";
import { defineType, type OptionType } from "../../core/types/define.ts";

/** A config-file format: an option type for a freeform `settings` option, and the file it renders. */
export interface Format<V, D = V> {
  readonly name: string;
  /** Merges like an attribute set: objects key by key, lists concatenate, scalars must agree. */
  readonly type: OptionType<V, D>;
  /** The file's text. Throws a RoostError naming the place for a value the format cannot hold. */
  generate(value: V): string;
}

/**
 * What may stand at one place of a format's value, by the value's shape: a scalar (with a rule), a
 * list (of `list()`) or an object (keys with a rule, values of `attrs.value()`). Thunks allow
 * recursive formats (JSON, nginx blocks). The option type and the check in `generate` both come
 * from this one description, so what a module may define and what a file can hold never drift.
 */
export interface Shape {
  readonly name: string;
  /** English for error messages: "expected <description>, but …". */
  readonly description: string;
  /** Why this scalar cannot stand here, or null. Absent: no scalars here. */
  readonly scalar?: (value: unknown) => string | null;
  readonly list?: { readonly item: () => Shape; readonly problem?: (items: readonly unknown[]) => string | null };
  readonly attrs?: { readonly key: KeyRule; readonly value: () => Shape };
}

export interface KeyRule {
  readonly description: string;
  /** Why `key` cannot be a name here, or null. */
  problem(key: string): string | null;
}

type Kind = "scalar" | "list" | "attrs";

function kindOf(value: unknown): Kind {
  return Array.isArray(value) ? "list" : isPlainObject(value) ? "attrs" : "scalar";
}

/** "a list", "an object", "a Date", … for messages about a value of the wrong shape. */
export function kindName(value: unknown): string {
  if (value === undefined) return "undefined (leave the key out instead)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (isProperty(value)) return `an unevaluated mk${value[PROPERTY]}(…), which only the module system resolves`;
  if (isPlainObject(value)) return "an object";
  if (typeof value === "object") return `a ${value.constructor?.name ?? "non-plain object"}`;
  return `a ${typeof value}`;
}

/** Why a string cannot be written as UTF-8 text, or null. */
export function textProblem(s: string): string | null {
  if (/\p{Cs}/u.test(s)) return "it contains a lone UTF-16 surrogate, which UTF-8 cannot encode";
  return null;
}

/** A string, finite number or boolean (and null when `allowNull`); `text` adds the format's rule for strings. */
export function atom(
  opts: { allowNull?: boolean; nullReason?: string; text?: (s: string) => string | null } = {},
): (v: unknown) => string | null {
  return (v) => {
    if (typeof v === "string") return textProblem(v) ?? opts.text?.(v) ?? null;
    if (typeof v === "number") return Number.isFinite(v) ? null : `${v} is not a finite number`;
    if (typeof v === "boolean") return null;
    if (v === null && opts.allowNull) return null;
    if (v === null && opts.nullReason) return opts.nullReason;
    return `it is ${kindName(v)}`;
  };
}

/** Keys every format refuses: `__proto__` cannot be an own key of a merged object, and non-text. */
export function baseKeyProblem(key: string): string | null {
  if (key === "__proto__") return "JavaScript objects take __proto__ as their prototype, not as a key";
  return textProblem(key);
}

const types = new WeakMap<Shape, OptionType<any, any>>();

/** The option type of a shape: core listOf/attrsOf for the containers, mergeEqual for scalars. */
export function shapeType(shape: Shape): OptionType<any, any> {
  const known = types.get(shape);
  if (known) return known;
  let listType: OptionType<any, any> | undefined;
  let attrsType: OptionType<any, any> | undefined;
  const part = (kind: Kind): OptionType<any, any> | string => {
    if (kind === "list" && shape.list) return (listType ??= listOf(shapeType(shape.list.item())));
    if (kind === "attrs" && shape.attrs) return (attrsType ??= attrsOf(shapeType(shape.attrs.value()), keyType(shape.attrs.key)));
    return "";
  };
  const type = defineType<any>({
    name: shape.name,
    description: shape.description,
    check(value) {
      const kind = kindOf(value);
      if (kind === "scalar") return shape.scalar ? (shape.scalar(value) ?? true) : `it is ${kindName(value)}`;
      const inner = part(kind);
      if (typeof inner === "string") return `it is ${kindName(value)}`;
      if (kind === "list") {
        const problem = shape.list!.problem?.(value as unknown[]);
        if (problem) return problem;
      }
      return inner.check(value);
    },
    merge(path, defs) {
      const kind = kindOf(defs[0]!.value);
      if (defs.some((d) => kindOf(d.value) !== kind)) throw conflict(path, shape.name, defs);
      if (kind === "scalar") return mergeEqual(path, defs, shape.name);
      return (part(kind) as OptionType<any, any>).merge(path, defs);
    },
  });
  types.set(shape, type);
  return type;
}

function keyType(rule: KeyRule): OptionType<string> {
  return defineType<string>({
    name: "key",
    description: rule.description,
    check: (k) => (typeof k === "string" ? (rule.problem(k) ?? true) : "it is not a string"),
    merge: (path, defs) => mergeEqual(path, defs, "key"),
  });
}

/**
 * Throws the RoostError `generate` gives for a value that breaks `shape` anywhere: the same rules
 * as the option type, for values that did not come through an option.
 */
export function assertShape(format: string, shape: Shape, value: unknown, path: OptionPath = []): void {
  const fail = (at: OptionPath, problem: string): never => {
    throw new RoostError(
      `${format} cannot hold ${at.length ? showPath(at) : "the value"}: ${problem}`,
      [],
      `expected ${shape.description}`,
    );
  };
  const kind = kindOf(value);
  if (kind === "scalar") {
    const problem = shape.scalar ? shape.scalar(value) : `it is ${kindName(value)}`;
    if (problem) fail(path, problem);
  } else if (kind === "list") {
    if (!shape.list) {
      fail(path, `it is ${kindName(value)}`);
      return;
    }
    const items = value as unknown[];
    const problem = shape.list.problem?.(items);
    if (problem) fail(path, problem);
    items.forEach((item, i) => assertShape(format, shape.list!.item(), item, [...path, `[${i}]`]));
  } else {
    if (!shape.attrs) {
      fail(path, `it is ${kindName(value)}`);
      return;
    }
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const problem = shape.attrs.key.problem(key);
      if (problem) fail([...path, key], `the name is not ${shape.attrs.key.description}: ${problem}`);
      assertShape(format, shape.attrs.value(), item, [...path, key]);
    }
  }
}

/** A format whose `generate` checks the value against `shape`, then renders it. */
export function defineFormat<V, D>(name: string, shape: Shape, render: (value: V) => string): Format<V, D> {
  return Object.freeze({
    name,
    type: shapeType(shape) as OptionType<V, D>,
    generate(value: V): string {
      assertShape(name, shape, value);
      return render(value);
    },
  });
}

/** How numbers and booleans are written in formats whose values are all text (ini, env files, nginx). */
export function scalarText(value: string | number | boolean): string {
  return typeof value === "string" ? value : String(value);
}

import { CallSite } from "./location.ts";

/**
 * Definition properties, as in nixpkgs lib/modules.nix: plain values that wrap a definition and that
 * the evaluator unwraps. They are pushed down through attribute sets, so `mkIf(c, { a, b })` means
 * `{ a: mkIf(c, a), b: mkIf(c, b) }` and its condition is only looked at where a value is needed.
 */
export const PROPERTY = Symbol.for("roost.property");

/** Priorities: lower wins. */
export const priorities = {
  force: 50,
  plain: 100,
  default: 1000,
  optionDefault: 1500,
} as const;

/** Orders for list definitions: lower comes first. */
export const orders = { before: 500, default: 1000, after: 1500 } as const;

export interface If<T> {
  readonly [PROPERTY]: "if";
  readonly condition: boolean;
  readonly content: T | Property<T>;
  readonly site: CallSite;
}
export interface Merge<T> {
  readonly [PROPERTY]: "merge";
  readonly contents: readonly (T | Property<T>)[];
  readonly site: CallSite;
}
export interface Override<T> {
  readonly [PROPERTY]: "override";
  readonly priority: number;
  readonly content: T | Property<T>;
  readonly site: CallSite;
}
export interface Order<T> {
  readonly [PROPERTY]: "order";
  readonly order: number;
  readonly content: T | Property<T>;
  readonly site: CallSite;
}
export type Property<T> = If<T> | Merge<T> | Override<T> | Order<T>;

/** A definition of type T, possibly wrapped in properties. */
export type Definable<T> = T | Property<T>;

export function isProperty(value: unknown): value is Property<unknown> {
  return typeof value === "object" && value !== null && PROPERTY in value;
}

/** Contribute `content` only when `condition` holds. */
export function mkIf<T>(condition: boolean, content: NoInfer<T>): If<T> {
  if (typeof condition !== "boolean") {
    throw new TypeError(`mkIf expects a boolean condition, got ${JSON.stringify(condition)}`);
  }
  return { [PROPERTY]: "if", condition, content, site: new CallSite(mkIf) };
}

/** Several definitions in one place, merged as if each came on its own. */
export function mkMerge<T>(contents: readonly NoInfer<T>[]): Merge<T> {
  return { [PROPERTY]: "merge", contents, site: new CallSite(mkMerge) };
}

/** A definition with an explicit priority; the lowest number among all definitions wins. */
export function mkOverride<const T>(priority: number, content: T): Override<T> {
  return { [PROPERTY]: "override", priority, content, site: new CallSite(mkOverride) };
}

/** Weaker than a plain definition: a module's suggestion that users may change without mkForce. */
export function mkDefault<const T>(content: T): Override<T> {
  return { [PROPERTY]: "override", priority: priorities.default, content, site: new CallSite(mkDefault) };
}

/** Stronger than a plain definition: wins over every definition that is not forced too. */
export function mkForce<const T>(content: T): Override<T> {
  return { [PROPERTY]: "override", priority: priorities.force, content, site: new CallSite(mkForce) };
}

/** Place a list definition before or after others (lower order first). */
export function mkOrder<const T>(order: number, content: T): Order<T> {
  return { [PROPERTY]: "order", order, content, site: new CallSite(mkOrder) };
}

export function mkBefore<const T>(content: T): Order<T> {
  return { [PROPERTY]: "order", order: orders.before, content, site: new CallSite(mkBefore) };
}

export function mkAfter<const T>(content: T): Order<T> {
  return { [PROPERTY]: "order", order: orders.after, content, site: new CallSite(mkAfter) };
}

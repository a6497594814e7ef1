import type { CallSite } from "../location.ts";
import type { OptionPath } from "../path.ts";
import type { OptionTree } from "../option.ts";

/** One definition of an option, with properties already unwrapped. */
export interface Definition<T = unknown> {
  readonly value: T;
  readonly site: CallSite;
  readonly priority: number;
  readonly order: number;
}

/**
 * An option type, as in nixpkgs lib/types.nix: a name, a description that composes into English,
 * a shallow `check` of one definition and a `merge` of all the winning definitions. Merge semantics
 * live here, so listOf/attrsOf/submodule compose with no special cases elsewhere.
 *
 * `V` is the merged value's TypeScript type, `D` what one definition may be (e.g. a duration is
 * defined as "5m" or 300 and merges to 300).
 */
export interface OptionType<V = unknown, D = V> {
  readonly name: string;
  readonly description: string;
  /** true when `value` may be a definition of this type; false or the reason why not. */
  check(value: unknown): boolean | string;
  /** Merge definitions that passed `check`, are of equal (winning) priority and sorted by order. */
  merge(path: OptionPath, defs: readonly Definition[]): V;
  /** Options nested under this type (submodules), for documentation. */
  readonly subOptions?: () => OptionTree;
  /** Values of this type (or what was given in its place) are never printed: secret references. */
  readonly sensitive?: boolean;
  /** Element types, for documentation and `roost options`. */
  readonly nested?: Readonly<Record<string, OptionType<any, any>>>;
  /**
   * The type that a second declaration of the same option with type `other` merges into, or null
   * when the two are incompatible (nixpkgs' typeMerge). `path` names the option, for messages.
   */
  typeMerge?(other: OptionType<any, any>, path: OptionPath): OptionType<any, any> | null;
  /** Phantom fields carrying the TypeScript types. */
  readonly __value?: V;
  readonly __definition?: D;
}

export type ValueOf<T> = T extends OptionType<infer V, any> ? V : never;
export type DefinitionOf<T> = T extends OptionType<any, infer D> ? D : never;

export function defineType<V, D = V>(spec: Omit<OptionType<V, D>, "__value" | "__definition">): OptionType<V, D> {
  return Object.freeze({ ...spec }) as OptionType<V, D>;
}

/**
 * The type of an option declared twice, with `a` then `b`; null when they do not merge. Types
 * without a typeMerge merge only with themselves or with a leaf type described the same way
 * (`t.ints.between(1, 9)` written twice).
 */
export function mergeTypes(a: OptionType<any, any>, b: OptionType<any, any>, path: OptionPath): OptionType<any, any> | null {
  if (a === b) return a;
  if (a.typeMerge) return a.typeMerge(b, path);
  if (b.typeMerge) return null;
  const leaf = (t: OptionType<any, any>) => !t.nested && !t.subOptions;
  return leaf(a) && leaf(b) && a.name === b.name && a.description === b.description ? a : null;
}

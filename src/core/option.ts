import { CallSite } from "./location.ts";
import type { Definable } from "./properties.ts";
import type { DefinitionOf, OptionType, ValueOf } from "./types/define.ts";

export interface OptionSpec<T extends OptionType<any, any>> {
  readonly type: T;
  readonly default?: ValueOf<T> | DefinitionOf<T>;
  /** How the docs show a default that is computed. */
  readonly defaultText?: string;
  readonly description: string;
  readonly example?: DefinitionOf<T>;
  /** Defined at most once, by the module that owns it. */
  readonly readOnly?: boolean;
  /** Left out of the option reference. */
  readonly internal?: boolean;
}

/** A declared option. Option trees are plain objects whose leaves are Options. */
export class Option<T extends OptionType<any, any> = OptionType<any, any>> {
  readonly declaredIn: CallSite;
  constructor(readonly spec: OptionSpec<T>, declaredIn?: CallSite) {
    this.declaredIn = declaredIn ?? new CallSite(option);
  }
  get type(): T {
    return this.spec.type;
  }
  get hasDefault(): boolean {
    return "default" in this.spec;
  }
}

export function option<T extends OptionType<any, any>>(spec: OptionSpec<T>): Option<T> {
  return new Option(spec, new CallSite(option));
}

export interface OptionTree {
  readonly [key: string]: Option<any> | OptionTree;
}

export function isOption(node: unknown): node is Option {
  return node instanceof Option;
}

/** The final values of an option tree. */
export type ConfigOf<O> = {
  readonly [K in keyof O]: O[K] extends Option<infer T> ? ValueOf<T> : ConfigOf<O[K]>;
};

/** What a module may define for an option tree: any part of it, wrapped in properties anywhere. */
export type DefinitionsOf<O> = Definable<DefinitionsBody<O>>;

/** DefinitionsOf without the properties at the top, so that two trees can be intersected. */
export type DefinitionsBody<O> = {
  [K in keyof O]?: O[K] extends Option<infer T> ? Definable<DefinitionOf<T>> : DefinitionsOf<O[K]>;
};


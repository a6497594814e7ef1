import { CallSite } from "./location.ts";
import type { Definable } from "./properties.ts";
import type { DefinitionOf, OptionType, ValueOf } from "./types/define.ts";
import { bool, pkg } from "./types/scalars.ts";

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
  /** Every declaration this option merges, the first (`declaredIn`) included. */
  readonly declarations: readonly CallSite[];
  constructor(
    readonly spec: OptionSpec<T>,
    declaredIn?: CallSite,
    alsoDeclaredIn: readonly CallSite[] = [],
  ) {
    this.declaredIn = declaredIn ?? new CallSite(option);
    this.declarations = [this.declaredIn, ...alsoDeclaredIn];
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

/** `enableOption("the web server")`: a boolean, false unless set, described "Whether to enable the web server." */
export function enableOption(what: string): Option<OptionType<boolean>> {
  return new Option({ type: bool, default: false, description: `Whether to enable ${what}.` }, new CallSite(enableOption));
}

/** `packageOption("nginx")`: the Debian package a service runs, "nginx" unless set. */
export function packageOption(name: string, description = `The Debian package that provides ${name}.`): Option<OptionType<string>> {
  return new Option({ type: pkg, default: name, description }, new CallSite(packageOption));
}

export interface OptionTree {
  readonly [key: string]: Option<any> | OptionTree;
}

export function isOption(node: unknown): node is Option {
  return node instanceof Option;
}

/**
 * The value and definition types of an option. Read through the phantom fields rather than with
 * `infer`, so that an option two modules declare (`Option<A> & Option<B>` once their trees are
 * intersected) has the value of both: a submodule gets the fields of each declaration.
 */
type OptionValue<X extends Option<any>> = Exclude<X["type"]["__value"], undefined>;
type OptionDefinition<X extends Option<any>> = Exclude<X["type"]["__definition"], undefined>;

/** The final values of an option tree. */
export type ConfigOf<O> = {
  readonly [K in keyof O]: O[K] extends Option<any> ? OptionValue<O[K]> : ConfigOf<O[K]>;
};

/** What a module may define for an option tree: any part of it, wrapped in properties anywhere. */
export type DefinitionsOf<O> = Definable<DefinitionsBody<O>>;

/** DefinitionsOf without the properties at the top, so that two trees can be intersected. */
export type DefinitionsBody<O> = {
  [K in keyof O]?: O[K] extends Option<any> ? Definable<OptionDefinition<O[K]>> : DefinitionsOf<O[K]>;
};

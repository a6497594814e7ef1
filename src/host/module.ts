import { CallSite, makeModule, type ConfigOf, type Definable, type DefinitionsBody, type Module, type OptionTree } from "../core/index.ts";
import type { HostOptions } from "./options.ts";

/** The final configuration of a host, as module config functions read it. */
export type HostConfig = ConfigOf<HostOptions>;

/** Another host of the fleet, as modules see it through `nodes`. */
export interface Node {
  /**
   * The host's final configuration. Options that only some hosts declare are typed loosely, and one
   * this host does not declare reads as undefined: `nodes.db!.config.services?.postgres?.enable`.
   */
  readonly config: HostConfig & { readonly [option: string]: any };
  /** Whether the host declares an option or group of options: `has("services.postgres")`. */
  has(path: string | readonly string[]): boolean;
}

/** Every host of the fleet, read-only: `nodes.tiger!.config.networking.hostName`. */
export type Nodes = Readonly<Record<string, Node>>;

declare module "../core/types/submodule.ts" {
  /** What every submodule's config function gets from the host it is part of. */
  interface SubmoduleContext {
    /** The enclosing host: its name in the fleet and its final configuration. */
    readonly host: { readonly name: string; readonly config: HostConfig & { readonly [option: string]: any } };
    /** Every host of the fleet, this one included. */
    readonly nodes: Nodes;
  }
}

export interface HostArgs<C> {
  /** The final configuration of this host. */
  readonly config: C;
  /** This host's name in the fleet. */
  readonly name: string;
  /** Every host of the fleet, this one included. */
  readonly nodes: Nodes;
}

/**
 * What a module may define: the host's options and its own. The two halves are kept apart so that
 * TypeScript resolves the built-in half while it still infers O (else literals like "oneshot" widen).
 */
export type HostDefinitions<O = {}> = Definable<DefinitionsBody<HostOptions> & DefinitionsBody<O>>;

type OptionsOf<M> = M extends Module<infer O, any> ? O : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** The options that a list of modules declares, merged. */
export type ModulesOptions<M extends readonly Module<any, any>[]> = [M[number]] extends [never]
  ? {}
  : UnionToIntersection<OptionsOf<M[number]>>;

export interface HostModuleSpec<O extends OptionTree, I extends readonly Module<any, any>[]> {
  readonly name?: string;
  /** Modules this one builds on; their options are typed in `config` too. */
  readonly imports?: I;
  /** Options this module declares. */
  readonly options?: O;
  /** Definitions for any option of the host: an object, or a function of the final config. */
  readonly config?:
    | HostDefinitions<NoInfer<O & ModulesOptions<I>>>
    | ((args: HostArgs<ConfigOf<HostOptions & NoInfer<O & ModulesOptions<I>>>>) => HostDefinitions<NoInfer<O & ModulesOptions<I>>>);
}

export type HostModule<O extends OptionTree = OptionTree> = Module<O, HostArgs<ConfigOf<HostOptions & O>>>;

/**
 * Declare a module of host options and definitions. `config` is typed from the declarations: a
 * misspelt option or a value of the wrong type is a compile error as well as a runtime one.
 */
export function defineModule<O extends OptionTree = {}, const I extends readonly Module<any, any>[] = []>(
  spec: HostModuleSpec<O, I>,
): HostModule<O> {
  return makeModule(spec, new CallSite(defineModule)) as HostModule<O>;
}

export const defineHostModule = defineModule;

import { CallSite } from "./location.ts";
import type { OptionTree } from "./option.ts";

/**
 * A module, as in NixOS: option declarations, definitions for any option (a plain object or a
 * function of the final config), and other modules it imports. Modules are data; `evaluate` gives
 * them meaning.
 */
export interface Module<O extends OptionTree = OptionTree, Args = any> {
  readonly name: string;
  readonly options: O;
  readonly imports: readonly Module<any, any>[];
  readonly config: unknown | ((args: Args) => unknown);
  /** Where the module was written; definitions without a more precise site are reported here. */
  readonly site: CallSite;
}

export interface ModuleSpec<O extends OptionTree, Args> {
  /** Shown in messages; defaults to the file the module is written in. */
  readonly name?: string;
  readonly imports?: readonly Module<any, any>[];
  readonly options?: O;
  readonly config?: unknown | ((args: Args) => unknown);
}

export function makeModule<O extends OptionTree, Args>(spec: ModuleSpec<O, Args>, site: CallSite): Module<O, Args> {
  return Object.freeze({
    // Resolving a site formats a stack trace: only do it when a message needs the name.
    get name() {
      return spec.name ?? site.toString();
    },
    options: spec.options ?? ({} as O),
    imports: spec.imports ?? [],
    config: spec.config ?? {},
    site,
  });
}

/** A module written at `site` that only defines values (a host's config, a submodule definition). */
export function definitionModule(config: unknown, site: CallSite, name?: string): Module {
  return makeModule({ name, config }, site);
}

/** The module and everything it imports, depth first, each once. */
export function importClosure(roots: readonly Module<any, any>[]): Module<any, any>[] {
  const seen = new Set<Module<any, any>>();
  const out: Module<any, any>[] = [];
  const visit = (m: Module<any, any>) => {
    if (seen.has(m)) return;
    seen.add(m);
    for (const i of m.imports) visit(i);
    out.push(m);
  };
  roots.forEach(visit);
  return out;
}

/** Declare a module; its site (file:line) is where this is called. */
export function defineModule<O extends OptionTree = {}, Args = any>(spec: ModuleSpec<O, Args>): Module<O, Args> {
  return makeModule(spec, new CallSite(defineModule));
}

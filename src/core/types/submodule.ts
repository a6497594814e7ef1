import { Declarations } from "../declarations.ts";
import { RoostError, RoostErrors } from "../errors.ts";
import { showPath, type OptionPath } from "../path.ts";
import { Evaluation, inheritedArgs } from "../evaluate.ts";
import { CallSite } from "../location.ts";
import { definitionModule, makeModule, type Module } from "../module.ts";
import type { ConfigOf, DefinitionsOf, OptionTree } from "../option.ts";
import { isPlainObject } from "./containers.ts";
import { defineType, type OptionType } from "./define.ts";

/**
 * What every submodule's config function receives from the evaluation it is part of, beside its
 * own `name` and `config`. Empty here; the host layer adds the host's `host` and `nodes`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: an interface, so that the host layer can add to it by declaration merging
export interface SubmoduleContext {}

export interface SubmoduleArgs<O extends OptionTree> extends SubmoduleContext {
  /** The attribute name this value is stored under (e.g. the user name in users.users.<name>). */
  readonly name: string;
  /** The submodule's own final values. */
  readonly config: ConfigOf<O>;
}

export interface SubmoduleSpec<O extends OptionTree> {
  readonly options: O;
  /** Definitions computed from the submodule's own values and name (defaults that depend on them). */
  readonly config?: (args: SubmoduleArgs<O>) => DefinitionsOf<O>;
  /** A rule across the submodule's options: the problem in words, or null when the value is fine. */
  readonly validate?: (value: ConfigOf<O>, name: string) => string | null;
}

/** One declaration's share of a submodule type: its options and config, and its rule. */
interface Part {
  readonly module: Module;
  readonly validate?: (value: any, name: string) => string | null;
}

/** The parts each submodule type is made of, so that two declarations can concatenate theirs. */
const partsOf = new WeakMap<OptionType<any, any>, readonly Part[]>();

/**
 * A group of options inside an option: every definition is a module of its own, evaluated with the
 * type's options. Errors point at the nested option, e.g. `users.users.alice.home`.
 *
 * Declared again in another module, the option's submodules merge (nixpkgs' submoduleWith): the
 * value has the options of both, so a module can add `enableACME` to another's virtual hosts.
 */
export function submodule<O extends OptionTree>(spec: SubmoduleSpec<O>): OptionType<ConfigOf<O>, DefinitionsOf<O>> {
  const own: Module = makeModule({ options: spec.options, config: spec.config }, new CallSite(submodule));
  return submoduleOf([{ module: own, validate: spec.validate }]);
}

function submoduleOf(parts: readonly Part[], declared?: Declarations): OptionType<any, any> {
  let declarations = declared;
  const declarationsOf = () => (declarations ??= new Declarations(parts.map((p) => p.module)));
  const type = defineType<unknown, unknown>({
    name: "submodule",
    description: "submodule",
    subOptions: () => declarationsOf().tree as OptionTree,
    check: (v) => isPlainObject(v) || "it is not an object",
    merge(path, defs) {
      const name = path[path.length - 1] ?? "";
      const modules = [...parts.map((p) => p.module), ...defs.map((d) => definitionModule(d.value, d.site))];
      const ev = new Evaluation({ modules, prefix: path, declarations: declarationsOf(), args: { ...inheritedArgs(), name } });
      const errors = ev.check();
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new RoostErrors(errors);
      const value = ev.materialize();
      for (const p of parts) {
        const problem = p.validate?.(value, name);
        if (problem)
          throw new RoostError(
            `${showPath(path)}: ${problem}`,
            defs.map((d) => `defined in ${d.site.at(path)}`),
          );
      }
      return value;
    },
    typeMerge(other: OptionType<any, any>, path: OptionPath) {
      const more = partsOf.get(other);
      if (!more) return null;
      const merged = [...parts, ...more.filter((p) => !parts.includes(p))];
      // Built now, so that two parts declaring one option fail where the declarations are read.
      return submoduleOf(
        merged,
        new Declarations(
          merged.map((p) => p.module),
          path,
        ),
      );
    },
  });
  partsOf.set(type, parts);
  return type;
}

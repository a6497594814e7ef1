import { Declarations } from "../declarations.ts";
import { RoostError, RoostErrors } from "../errors.ts";
import { showPath } from "../path.ts";
import { Evaluation } from "../evaluate.ts";
import { CallSite } from "../location.ts";
import { definitionModule, makeModule, type Module } from "../module.ts";
import type { ConfigOf, DefinitionsOf, OptionTree } from "../option.ts";
import { isPlainObject } from "./containers.ts";
import { defineType, type OptionType } from "./define.ts";

export interface SubmoduleArgs<O extends OptionTree> {
  /** The attribute name this value is stored under (e.g. the user name in users.users.<name>). */
  readonly name: string;
  readonly config: ConfigOf<O>;
}

export interface SubmoduleSpec<O extends OptionTree> {
  readonly options: O;
  /** Definitions computed from the submodule's own values and name (defaults that depend on them). */
  readonly config?: (args: SubmoduleArgs<O>) => DefinitionsOf<O>;
  /** A rule across the submodule's options: the problem in words, or null when the value is fine. */
  readonly validate?: (value: ConfigOf<O>, name: string) => string | null;
}

/**
 * A group of options inside an option: every definition is a module of its own, evaluated with the
 * type's options. Errors point at the nested option, e.g. `users.users.alice.home`.
 */
export function submodule<O extends OptionTree>(spec: SubmoduleSpec<O>): OptionType<ConfigOf<O>, DefinitionsOf<O>> {
  const site = new CallSite(submodule);
  const own: Module = makeModule({ options: spec.options, config: spec.config }, site);
  let declarations: Declarations | undefined;
  return defineType({
    name: "submodule",
    description: "submodule",
    subOptions: () => spec.options,
    check: (v) => isPlainObject(v) || "it is not an object",
    merge(path, defs) {
      const modules = [own, ...defs.map((d) => definitionModule(d.value, d.site))];
      declarations ??= new Declarations([own]);
      const ev = new Evaluation({ modules, prefix: path, declarations, args: { name: path[path.length - 1] ?? "" } });
      const errors = ev.check();
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new RoostErrors(errors);
      const value = ev.materialize() as ConfigOf<O>;
      const problem = spec.validate?.(value, path[path.length - 1] ?? "");
      if (problem) throw new RoostError(`${showPath(path)}: ${problem}`, defs.map((d) => `defined in ${d.site.at(path)}`));
      return value;
    },
  });
}

export * as types from "./types/index.ts";
export { secret, type SecretRef } from "./types/index.ts";
export {
  enableOption,
  option,
  packageOption,
  type ConfigOf,
  type DefinitionsBody,
  type DefinitionsOf,
  type Option,
  type OptionSpec,
  type OptionTree,
} from "./option.ts";
export { mkAfter, mkBefore, mkDefault, mkForce, mkIf, mkMerge, mkOrder, mkOverride, priorities, type Definable } from "./properties.ts";
export { defineModule, definitionModule, importClosure, makeModule, type Module, type ModuleSpec } from "./module.ts";
export { Evaluation, type EvaluationSpec } from "./evaluate.ts";
export { Declarations, suggest } from "./declarations.ts";
export { ReadThroughError, RoostError, RoostErrors } from "./errors.ts";
export { CallSite, FixedSite, formatLocation, type SourceLocation } from "./location.ts";
export { showPath, type OptionPath } from "./path.ts";
export { definitionsFromFile } from "./data-file.ts";
export { checkAssertions, assertionsModule, type AssertionReport } from "./assertions.ts";

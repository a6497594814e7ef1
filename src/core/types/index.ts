export { defineType, type Definition, type DefinitionOf, type OptionType, type ValueOf } from "./define.ts";
export {
  bool,
  enumOf,
  int,
  ints,
  lines,
  linesSatisfying,
  path,
  pathProblem,
  pkg,
  port,
  str,
  strMatching,
  strSatisfying,
  textProblem,
} from "./scalars.ts";
export { bytes, duration, parseBytes, parseDuration } from "./units.ts";
export { anything, attrsOf, either, listOf, nullOr, oneOf } from "./containers.ts";
export { submodule, type SubmoduleArgs, type SubmoduleSpec } from "./submodule.ts";
export { isSecretRef, secret, secretName, secretRef, type SecretRef } from "./secret.ts";

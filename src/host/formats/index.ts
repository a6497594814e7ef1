import { alloy } from "./alloy.ts";
import { ini } from "./ini.ts";
import { json } from "./json.ts";
import { keyValue } from "./key-value.ts";
import { nginx } from "./nginx.ts";
import { prometheusYaml } from "./prometheus-yaml.ts";
import { toml } from "./toml.ts";
import { yaml } from "./yaml.ts";

/**
 * Config-file formats, as nixpkgs' pkgs.formats: each gives a `type` for a freeform `settings`
 * option and a `generate` that renders the merged value to the file's text.
 */
export const formats = { alloy, ini, json, keyValue, nginx, prometheusYaml, toml, yaml } as const;

export type { Format } from "./settings.ts";
export type { AlloyBody, AlloyCall, AlloyDefinition, AlloyObject, AlloyRef, AlloyValue } from "./alloy.ts";
export { alloyString, alloyValues } from "./alloy.ts";
export { parseAlloy, readAlloy, unresolvedReferences, type AlloyComponent, type AlloyReading, type AlloyReference } from "./alloy-parse.ts";
export type { IniAtom, IniOptions, IniSettings } from "./ini.ts";
export type { JsonValue } from "./json.ts";
export type { KeyValueOptions, KeyValueSettings } from "./key-value.ts";
export type { NginxArgs, NginxAtom, NginxBlock, NginxEntry, NginxValue } from "./nginx.ts";
export type { TomlTable, TomlValue } from "./toml.ts";
export { shellArgs, shellQuote } from "./shell.ts";

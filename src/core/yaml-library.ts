import { createRequire } from "node:module";
import path from "node:path";
import type * as Yaml from "yaml";
import { packageRoot } from "../package-root.ts";

let library: typeof Yaml | undefined;

/**
 * The YAML library, loaded on first use: most commands of most fleets neither read nor write YAML,
 * and it is the largest part of Roost a command would otherwise load. The bundle carries it as one
 * prebuilt file (dist/vendor/yaml.cjs, see bin/bundle.js); the sources use the package.
 */
export function yamlLibrary(): typeof Yaml {
  const fromSources = import.meta.url.endsWith(".ts");
  library ??= createRequire(import.meta.url)(fromSources ? "yaml" : path.join(packageRoot, "dist/vendor/yaml.cjs")) as typeof Yaml;
  return library;
}

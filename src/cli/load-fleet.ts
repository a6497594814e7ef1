import { existsSync } from "node:fs";
import path from "node:path";
import { RoostError } from "../core/index.ts";
import { isFleet, type Fleet } from "../host/fleet.ts";
import { importUserModule } from "./compile-fleet.ts";

export const defaultConfigFile = "roost.config.ts";

/** Import a fleet file; its default export must be `defineFleet(…)`. */
export async function loadFleet(file: string): Promise<Fleet> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) {
    throw new RoostError(`no fleet file at ${file}`, [], `create ${defaultConfigFile}, or pass --config <file>`);
  }
  const mod = (await importUserModule(absolute)) as { default?: unknown };
  if (!isFleet(mod.default)) {
    throw new RoostError(`${file} does not export a fleet`, [], "end it with `export default defineFleet({ hosts: { … } })`");
  }
  return mod.default;
}

import { buildHost as buildGeneration } from "../build/generation.ts";
import type { Manifest } from "../build/manifest.ts";
import { FleetEvaluation, type Fleet } from "../host/fleet.ts";
import type { HostConfig } from "../host/module.ts";

/** One host of a fleet, evaluated and built as `roost build` does, for unit tests of modules. */
export interface BuiltHost {
  /** The host's final configuration, options of every module it imports included. */
  readonly config: HostConfig & { readonly [option: string]: any };
  /** What `roost build` writes as manifest.json. */
  readonly manifest: Manifest;
  /** Every path of the generation's tree. */
  readonly paths: readonly string[];
  /** The text of a file of the generation (units and tmpfiles.d included); throws when absent. */
  file(path: string): string;
}

/**
 * Evaluate and build one host of a fleet (no secrets, files read from anywhere). Errors and failed
 * assertions throw as they do in `roost check`.
 */
export function buildHostFrom(fleet: Fleet, name: string): BuiltHost {
  const ev = new FleetEvaluation(fleet).host(name);
  const gen = buildGeneration(name, ev);
  return {
    config: ev.config,
    manifest: gen.manifest,
    paths: [...gen.files.keys()].sort(),
    file(path) {
      const f = gen.files.get(path);
      if (!f) throw new Error(`${path} is not in the generation of ${name}; it has ${[...gen.files.keys()].sort().join(", ")}`);
      return f.content.toString("utf8");
    },
  };
}

import { buildHost as buildGeneration } from "../build/generation.ts";
import type { Manifest } from "../build/manifest.ts";
import type { SecretSource } from "../host/secrets/render.ts";
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

/** Every secret a module uses, as a stand-in ciphertext: a unit test needs no secrets file. */
const standInHostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuildHostFromStandInKey";
const standInSecrets: SecretSource = {
  file: "(stand-in secrets of buildHostFrom)",
  lookup: () => ({
    version: "test",
    recipients: [standInHostKey],
    value: "-----BEGIN AGE ENCRYPTED FILE-----\n-----END AGE ENCRYPTED FILE-----\n",
  }),
};

/**
 * Evaluate and build one host of a fleet (secrets as stand-ins, files read from anywhere). Errors
 * and failed assertions throw as they do in `roost check`.
 */
export function buildHostFrom(fleet: Fleet, name: string): BuiltHost {
  const ev = new FleetEvaluation(fleet).host(name);
  const gen = buildGeneration(name, ev, { secrets: standInSecrets, hostKey: standInHostKey });
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

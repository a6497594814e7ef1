import { deployTarget } from "../host/deployment/target.ts";
import type { FleetEvaluation } from "../host/fleet.ts";
import { realpathSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../package-root.ts";
import type { SecretSource } from "../host/secrets/render.ts";
import { SecretsFile } from "../secrets/secrets-file.ts";
import { buildHost, type HostGeneration } from "./generation.ts";

export type HostBuild = { readonly host: string; readonly generation: HostGeneration } | { readonly host: string; readonly error: unknown };

/** Build the named hosts (all when none are named); one host's errors never hide another's. */
export function buildHosts(fleet: FleetEvaluation, names: readonly string[] = []): HostBuild[] {
  const selected = names.length ? names : [...fleet.hosts.keys()];
  let secrets: SecretSource | null = null;
  try {
    secrets = fleet.fleet.secrets ? secretSource(SecretsFile.read(fleet.fleet.secrets.file)) : null;
  } catch (error) {
    return selected.map((host) => ({ host, error }));
  }
  // Where the fleet was defined is found (through source maps) only when a file has a source.
  let roots: string[] | undefined;
  const sourceRoots = () => {
    const fleetFile = fleet.fleet.site.location?.file;
    roots ??= [fleetFile ? path.dirname(fleetFile) : process.cwd(), packageRoot].map((d) => realpathSync(d));
    return roots;
  };
  return selected.map((host) => {
    try {
      return {
        host,
        generation: buildHost(host, fleet.host(host), { secrets, hostKey: deployTarget(fleet.host(host)).hostKey, sourceRoots }),
      };
    } catch (error) {
      return { host, error };
    }
  });
}

function secretSource(file: SecretsFile): SecretSource {
  const relative = path.relative(process.cwd(), file.file);
  return { file: relative && !relative.startsWith("..") ? relative : file.file, lookup: (name) => file.get(name) };
}

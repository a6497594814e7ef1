import type { FleetEvaluation } from "../host/fleet.ts";
import { buildHost, type HostGeneration } from "./generation.ts";

export type HostBuild = { readonly host: string; readonly generation: HostGeneration } | { readonly host: string; readonly error: unknown };

/** Build the named hosts (all when none are named); one host's errors never hide another's. */
export function buildHosts(fleet: FleetEvaluation, names: readonly string[] = []): HostBuild[] {
  const selected = names.length ? names : [...fleet.hosts.keys()];
  return selected.map((host) => {
    try {
      return { host, generation: buildHost(host, fleet.host(host)) };
    } catch (error) {
      return { host, error };
    }
  });
}

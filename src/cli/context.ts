import { RoostError } from "../core/index.ts";
import { FleetEvaluation } from "../host/fleet.ts";
import { loadFleet } from "./load-fleet.ts";

export interface GlobalOptions {
  readonly config: string;
  readonly debug: boolean;
  readonly sshConfig?: string;
}

/** Load and evaluate the fleet; an unknown host name on the command line is a usage error. */
export async function openFleet(opts: GlobalOptions, hosts: readonly string[] = []): Promise<FleetEvaluation> {
  const fleet = new FleetEvaluation(await loadFleet(opts.config));
  const unknown = hosts.filter((h) => !fleet.hosts.has(h));
  if (unknown.length) {
    throw new UsageError(`no host named ${unknown.map((h) => JSON.stringify(h)).join(", ")} in the fleet`, [`hosts: ${[...fleet.hosts.keys()].join(", ")}`]);
  }
  return fleet;
}

export class UsageError extends RoostError {}

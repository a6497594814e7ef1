import { deployTarget } from "../host/deployment/target.ts";
import type { FleetEvaluation } from "../host/fleet.ts";
import { keyOf } from "../host/secrets/render.ts";
import { secretsUsedBy } from "../host/secrets/uses.ts";
import { RoostError } from "../core/index.ts";

/** For every secret the fleet's hosts use: which hosts read it. */
export function secretReaders(fleet: FleetEvaluation): Map<string, Set<string>> {
  const readers = new Map<string, Set<string>>();
  for (const [host, ev] of fleet.hosts) {
    for (const output of Object.values(ev.config.secrets)) {
      for (const n of secretsUsedBy(output)) {
        if (!readers.has(n)) readers.set(n, new Set());
        readers.get(n)!.add(host);
      }
    }
  }
  return readers;
}

/** The keys a secret must be encrypted to: every admin, and the host key of every host that reads it. */
export function recipientsOf(fleet: FleetEvaluation, name: string, readers: ReadonlySet<string>): { keys: string[]; names: string[] } {
  const admins = fleet.fleet.secrets?.admins ?? [];
  if (admins.length === 0) throw new RoostError("the fleet has no secrets admins", [], 'add secrets: { admins: ["age1…"] } to defineFleet');
  const hosts = [...readers].sort();
  const keys = [...admins.map(keyOf)];
  for (const h of hosts) {
    const key = deployTarget(fleet.host(h)).hostKey;
    if (!key)
      throw new RoostError(
        `${h} reads the secret ${JSON.stringify(name)} but the fleet does not pin its host key`,
        [],
        `add hostKey to the host: \`roost hosts keyscan ${h}\` prints it`,
      );
    keys.push(keyOf(key));
  }
  return { keys: [...new Set(keys)], names: ["admins", ...hosts] };
}

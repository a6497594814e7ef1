import { RoostError, suggest } from "../core/index.ts";
import { deployTarget } from "../host/deployment/target.ts";
import { FleetEvaluation, type Host } from "../host/fleet.ts";
import { loadFleet } from "./load-fleet.ts";

export interface GlobalOptions {
  readonly config: string;
  readonly debug: boolean;
  readonly sshConfig?: string;
}

/** Load and evaluate the fleet; an unknown host name on the command line is a usage error. */
export async function openFleet(opts: GlobalOptions, hosts: readonly string[] = []): Promise<FleetEvaluation> {
  const fleet = new FleetEvaluation(await loadFleet(opts.config));
  for (const h of hosts) if (!fleet.hosts.has(h)) throw unknownHost(fleet, h);
  return fleet;
}

/**
 * The hosts that command-line selectors name, in fleet order: host names and `@tag`s (hosts whose
 * deployment.tags has the tag), each argument possibly a comma-separated list. None selects all.
 */
export function selectHosts(fleet: FleetEvaluation, selectors: readonly string[]): string[] {
  const words = selectors
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (words.length === 0) return [...fleet.hosts.keys()];
  const chosen = new Set<string>();
  for (const word of words) {
    if (!word.startsWith("@")) {
      if (!fleet.hosts.has(word)) throw unknownHost(fleet, word);
      chosen.add(word);
      continue;
    }
    const tag = word.slice(1);
    const tagged = [...fleet.hosts].filter(([, ev]) => ev.config.deployment.tags.includes(tag)).map(([name]) => name);
    if (tagged.length === 0) {
      const known = [...new Set([...fleet.hosts.values()].flatMap((ev) => ev.config.deployment.tags))].sort();
      const close = suggest(tag, known);
      const host = fleet.hosts.has(tag) ? `did you mean the host ${tag} (without @)?` : undefined;
      throw new UsageError(
        `no host is tagged ${JSON.stringify(tag)}`,
        [`tags: ${known.length ? known.map((t) => `@${t}`).join(", ") : "(none; set deployment.tags)"}`],
        host ?? (close.length ? `did you mean ${close.map((t) => `@${t}`).join(" or ")}?` : undefined),
      );
    }
    for (const name of tagged) chosen.add(name);
  }
  return [...fleet.hosts.keys()].filter((name) => chosen.has(name));
}

/** The host as the deploy reaches it: address and pinned key from its evaluated deployment.* options. */
export function reachableHost(fleet: FleetEvaluation, name: string): Host {
  return { ...fleet.fleet.hosts[name]!, ...deployTarget(fleet.host(name)) };
}

function unknownHost(fleet: FleetEvaluation, name: string): UsageError {
  const known = [...fleet.hosts.keys()];
  const close = suggest(name, known);
  return new UsageError(
    `no host named ${JSON.stringify(name)} in the fleet`,
    [`hosts: ${known.join(", ") || "(none)"}`],
    close.length ? `did you mean ${close.join(" or ")}?` : undefined,
  );
}

export class UsageError extends RoostError {}

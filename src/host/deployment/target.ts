import { RoostError, type Evaluation } from "../../core/index.ts";
import type { HostConfig } from "../module.ts";

/** How the controller reaches a host: an OpenSSH destination and the host key to pin. */
export interface DeployTarget {
  /** "root@203.0.113.10", "web" (an ssh_config alias) or "ssh://deploy@[2001:db8::1]:2222". */
  readonly address: string;
  readonly hostKey: string | undefined;
}

/** The one place the controller learns where a host is: its evaluated `deployment.*` options. */
export function deployTarget(ev: Evaluation<HostConfig>): DeployTarget {
  const d = ev.config.deployment;
  const user = d.targetUser === null ? "" : `${d.targetUser}@`;
  const address =
    d.targetPort !== null || d.targetHost.includes(":")
      ? `ssh://${user}${d.targetHost.includes(":") ? `[${d.targetHost}]` : d.targetHost}${d.targetPort === null ? "" : `:${d.targetPort}`}`
      : `${user}${d.targetHost}`;
  return { address, hostKey: d.hostKey ?? undefined };
}

/** The parts of `host({ address })`: "user@host", "host" or "ssh://user@host:port". */
export function splitAddress(address: string, hostName: string): { host: string; user: string | null; port: number | null } {
  const url = /^ssh:\/\/(?:([^@/]+)@)?([^:/[\]]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(address);
  if (url) return { host: url[2]!.replace(/^\[|\]$/g, ""), user: url[1] ?? null, port: url[3] ? Number(url[3]) : null };
  const plain = /^(?:([^@\s]+)@)?([^@\s:/]+)$/.exec(address);
  if (plain) return { host: plain[2]!, user: plain[1] ?? null, port: null };
  throw new RoostError(
    `hosts.${hostName}.address: cannot read ${JSON.stringify(address)}`,
    [],
    'write "user@host", "host" (an ssh_config alias) or "ssh://user@host:port"',
  );
}

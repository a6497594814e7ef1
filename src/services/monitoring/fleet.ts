// What the central host and the agents learn about each other through nodes.
import type { Nodes, SecretRef } from "roost";

export interface Agent {
  /** The host's name in the fleet: the host label of its series. */
  readonly name: string;
  readonly token: SecretRef;
  readonly intermittent: boolean;
}

export interface Server {
  readonly name: string;
  readonly domain: string;
  /** Where agents reach it: its first networking.addresses entry. */
  readonly address: string | undefined;
}

/** The hosts with monitoring.server.enable, by name. */
export function serverNames(nodes: Nodes): string[] {
  return Object.keys(nodes)
    .sort()
    .filter((name) => nodes[name]!.config.monitoring?.server?.enable === true);
}

/** The fleet's monitoring server, or null when no host is one. */
export function findServer(nodes: Nodes, { withAddress = true } = {}): Server | null {
  const name = serverNames(nodes)[0];
  if (name === undefined) return null;
  const config = nodes[name]!.config;
  // Addresses are read only from files' text: a unit that read them would read them while the
  // networking module still runs.
  return { name, domain: config.monitoring.server.domain, address: withAddress ? config.networking.addresses[0] : undefined };
}

/** Every host that sends its metrics to the server, by name. */
export function agents(nodes: Nodes): Agent[] {
  return Object.keys(nodes)
    .sort()
    .flatMap((name) => {
      const agent = nodes[name]!.config.monitoring?.agent;
      return agent?.enable === true ? [{ name, token: agent.tokenSecret, intermittent: agent.intermittent }] : [];
    });
}

/**
 * Every host that declares the monitoring options, with its token: the server's token map. It does
 * not read monitoring.agent.enable, whose default reads the server (a host that opted out keeps a
 * token it does not use).
 */
export function tokenHolders(nodes: Nodes): Agent[] {
  return Object.keys(nodes)
    .sort()
    .flatMap((name) => {
      const agent = nodes[name]!.has("monitoring.agent") ? nodes[name]!.config.monitoring.agent : undefined;
      return agent === undefined ? [] : [{ name, token: agent.tokenSecret, intermittent: agent.intermittent }];
    });
}

import { RoostError } from "../core/index.ts";

/** Where a host is reached: an OpenSSH destination, taken apart only as far as Roost needs. */
export interface SshAddress {
  /** What is passed to ssh: "root@203.0.113.10", "web" (an alias from ~/.ssh/config), "ssh://…". */
  readonly destination: string;
  /** The login user when the address names one; null lets ~/.ssh/config decide. */
  readonly user: string | null;
  readonly port: number | null;
}

export function parseAddress(address: string, host: string): SshAddress {
  const url = /^ssh:\/\/(?:([^@/]+)@)?([^:/]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(address);
  if (url) return { destination: address, user: url[1] ?? null, port: url[3] ? Number(url[3]) : null };
  const plain = /^(?:([^@\s]+)@)?([^@\s:]+)$/.exec(address);
  if (plain) return { destination: address, user: plain[1] ?? null, port: null };
  throw new RoostError(
    `hosts.${host}.address: cannot read ${JSON.stringify(address)}`,
    [],
    'write "user@host", "host" (an ssh_config alias) or "ssh://user@host:port"',
  );
}

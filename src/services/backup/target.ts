// The sftp target side: a host that other hosts of the fleet back up to gets one account per client
// host, which may only speak sftp (internal-sftp forced by its key line) and only with that
// client's SSH host key, read from the fleet at build time.
import type { Nodes } from "roost";
import { bareKey, sftpAccount, type Repository } from "./render.ts";

export interface SftpClient {
  readonly client: string;
  readonly user: string;
  readonly home: string;
  readonly paths: string[];
  readonly key: string;
}

/** Every client host whose enabled backups name `target` as their sftp host, one entry per account. */
export function sftpClientsOf(target: string, nodes: Nodes): SftpClient[] {
  const byUser = new Map<string, SftpClient>();
  for (const client of Object.keys(nodes).sort()) {
    if (client === target) continue;
    const config = nodes[client]!.config;
    const backup = config.services?.backup;
    if (!backup?.enable) continue;
    const key: string | null = config.deployment?.hostKey ?? null;
    if (key === null) continue; // the client's own assertion names the missing key
    for (const [repoName, repo] of Object.entries(backup.repositories as Record<string, Repository>)) {
      if (repo.sftp === null || repo.sftp.host !== target) continue;
      const account = sftpAccount(client, repoName, repo.sftp);
      const known = byUser.get(account.user);
      if (known) known.paths.push(account.path);
      else byUser.set(account.user, { client, user: account.user, home: account.home, paths: [account.path], key: bareKey(key) });
    }
  }
  return [...byUser.values()];
}

/** The users and directories of a target, as definitions. */
export function sftpAccounts(clients: readonly SftpClient[]) {
  return {
    users: Object.fromEntries(
      clients.map((c) => [
        c.user,
        {
          isSystemUser: true,
          home: c.home,
          description: `restic backups of ${c.client}`,
          authorizedKeys: [`restrict,command="internal-sftp" ${c.key} roost-backup@${c.client}`],
        },
      ]),
    ),
    directories: Object.fromEntries(
      clients.flatMap((c) => [c.home, ...c.paths].map((p) => [p, { owner: c.user, group: c.user, mode: "0700" }])),
    ),
  };
}

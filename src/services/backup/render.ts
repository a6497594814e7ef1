// What the runner reads: one JSON file per job and per repository, built from the options. The
// repository's access (URL, password file, ssh command) is computed once here for both.
import type { Nodes, SecretRef } from "roost";
import type { database, job, repository } from "./options.ts";
import type { source } from "./options.ts";

export type Repository = (typeof repository)["__value"] & {};
export type Job = (typeof job)["__value"] & {};
export type Source = (typeof source)["__value"] & {};
export type Database = (typeof database)["__value"] & {};

export const confDir = "/etc/roost/backup";
export const cacheDir = "/var/cache/restic";
export const lockDir = "/run/roost-backup";
/** Where a repository on a fleet host lives when its path is not given. */
export const sftpRoot = "/srv/backup";

export const jobUnit = (job: string) => `roost-backup-${job}`;
export const checkUnit = (repo: string) => `roost-backup-check-${repo}`;

/** The secrets.<output> names a repository's units read. */
export const secretOutputs = {
  password: (repo: string) => `backup-${repo}-password`,
  url: (repo: string) => `backup-${repo}-url`,
  s3: (repo: string) => `backup-${repo}-s3`,
};
const secretPath = (output: string) => `/run/roost/secrets/${output}`;

/** The account, its home and the repository's directory on an sftp target, for client host `client`. */
export function sftpAccount(client: string, repoName: string, sftp: NonNullable<Repository["sftp"]>) {
  const home = `${sftpRoot}/${client}`;
  return { user: sftp.user ?? `backup-${client}`, home, path: sftp.path ?? `${home}/${repoName}` };
}

/** The private key file sshd keeps for a host key of this type. */
export function hostKeyFile(publicKey: string): string | null {
  const type = publicKey.split(" ")[0];
  const file = {
    "ssh-ed25519": "ed25519",
    "ecdsa-sha2-nistp256": "ecdsa",
    "ecdsa-sha2-nistp384": "ecdsa",
    "ecdsa-sha2-nistp521": "ecdsa",
    "ssh-rsa": "rsa",
  }[type ?? ""];
  return file ? `/etc/ssh/ssh_host_${file}_key` : null;
}

/** The first two words of a public key line: type and key, without a comment. */
export const bareKey = (publicKey: string) => publicKey.split(" ").slice(0, 2).join(" ");

/** secrets.<output> entries a repository's units need, by output name (read from no other host). */
export function repositorySecrets(repoName: string, repo: Repository): Record<string, { secret?: SecretRef; template?: string }> {
  const secrets: Record<string, { secret?: SecretRef; template?: string }> = {
    [secretOutputs.password(repoName)]: { secret: repo.passwordSecret },
  };
  if (repo.urlSecret !== null) secrets[secretOutputs.url(repoName)] = { secret: repo.urlSecret };
  if (repo.s3 !== null) {
    const { accessKeyIdSecret: id, secretAccessKeySecret: key } = repo.s3;
    secrets[secretOutputs.s3(repoName)] = {
      template: `[default]\naws_access_key_id = {{secret:${id.secret}}}\naws_secret_access_key = {{secret:${key.secret}}}\n`,
    };
  }
  return secrets;
}

export interface ResticAccess {
  readonly environment: Record<string, string>;
  readonly options: string[];
  /** known_hosts lines for an sftp target. */
  readonly knownHosts: string[];
  /** What is missing to reach the repository (no address or host key), for an assertion. */
  readonly problems: string[];
}

export function resticAccess(hostName: string, repoName: string, repo: Repository, nodes: Nodes, ownHostKey: string | null): ResticAccess {
  const environment: Record<string, string> = {
    RESTIC_CACHE_DIR: cacheDir,
    RESTIC_PASSWORD_FILE: secretPath(secretOutputs.password(repoName)),
  };
  const options: string[] = [];
  const knownHosts: string[] = [];
  const problems: string[] = [];
  if (repo.url !== null) environment.RESTIC_REPOSITORY = repo.url;
  if (repo.urlSecret !== null) {
    environment.RESTIC_REPOSITORY_FILE = secretPath(secretOutputs.url(repoName));
  }
  if (repo.s3 !== null) {
    const s3 = repo.s3;
    environment.RESTIC_REPOSITORY = `s3:${s3.endpoint}/${s3.bucket}${s3.prefix ? `/${s3.prefix}` : ""}`;
    // restic reads S3 keys from a credentials file too, so no key is ever in an environment.
    environment.AWS_SHARED_CREDENTIALS_FILE = secretPath(secretOutputs.s3(repoName));
    if (s3.region !== null) environment.AWS_DEFAULT_REGION = s3.region;
  }
  if (repo.sftp !== null) {
    const sftp = repo.sftp;
    const account = sftpAccount(hostName, repoName, sftp);
    const target = nodes[sftp.host];
    if (!target) problems.push(`there is no host ${sftp.host} in the fleet`);
    else if (sftp.host === hostName) problems.push("the sftp host is this host; use url with a local path");
    else {
      const address = target.config.networking?.addresses?.[0];
      const targetKey: string | null | undefined = target.config.deployment?.hostKey;
      const port: number = target.config.deployment?.targetPort ?? 22;
      const keyFile = ownHostKey === null ? null : hostKeyFile(ownHostKey);
      if (!address) problems.push(`${sftp.host} has no networking.addresses`);
      if (!targetKey)
        problems.push(`${sftp.host} has no deployment.hostKey, which this host must trust (roost hosts keyscan ${sftp.host})`);
      if (ownHostKey === null)
        problems.push(`this host has no deployment.hostKey: ${sftp.host} lets it in by that key (roost hosts keyscan ${hostName})`);
      else if (keyFile === null) problems.push(`this host's key type ${ownHostKey.split(" ")[0]} has no host key file Roost knows`);
      if (address && targetKey && keyFile) {
        const bracketed = address.includes(":") ? `[${address}]` : address;
        environment.RESTIC_REPOSITORY = `sftp:${account.user}@${bracketed}:${account.path}`;
        const knownHostsFile = `${confDir}/known_hosts`;
        knownHosts.push(`${port === 22 ? address : `[${address}]:${port}`} ${bareKey(targetKey)}`);
        // The client authenticates with its own SSH host key: the target learns it from the fleet
        // at build time, and no key has to be generated, stored or copied.
        const ssh = [
          "ssh",
          "-F",
          "/dev/null",
          "-i",
          keyFile,
          "-o",
          "IdentitiesOnly=yes",
          "-o",
          `UserKnownHostsFile=${knownHostsFile}`,
          "-o",
          "StrictHostKeyChecking=yes",
          "-o",
          "BatchMode=yes",
          "-o",
          "ConnectTimeout=20",
          "-o",
          "ServerAliveInterval=30",
          "-p",
          String(port),
          `${account.user}@${address}`,
          "-s",
          "sftp",
        ];
        options.push("-o", `sftp.command=${ssh.join(" ")}`);
      }
    }
  }
  return { environment, options, knownHosts, problems };
}

/** The restic forget arguments of a retention policy. */
export function forgetArgs(retention: Job["retention"]): string[] {
  const rules: [string, number | null][] = [
    ["--keep-last", retention.keepLast],
    ["--keep-hourly", retention.keepHourly],
    ["--keep-daily", retention.keepDaily],
    ["--keep-weekly", retention.keepWeekly],
    ["--keep-monthly", retention.keepMonthly],
    ["--keep-yearly", retention.keepYearly],
  ];
  return rules.flatMap(([flag, n]) => (n === null ? [] : [flag, String(n)]));
}

const period: Record<string, number> = { minutely: 60, hourly: 3600, daily: 86400, weekly: 7 * 86400, monthly: 31 * 86400 };

/** The age of the last success at which the alert fires. */
export function maxAgeOf(j: Job): number {
  return j.maxAge ?? (period[j.schedule] ?? 86400) + j.randomizedDelay + 7200;
}

/** One database of a job, as the runner reads it. */
export interface DatabaseEntry {
  readonly type: Database["type"];
  readonly name: string | null;
  readonly path: string | null;
  readonly owner: string | null;
  readonly container: string | null;
  /** The container runtime of `container` (virtualisation.oci-containers.backend). */
  readonly runtime: "podman" | "docker" | null;
  /** Names the dump in tags and file names; unique in its job. */
  readonly label: string;
  /** The file name of the dump inside its snapshot. */
  readonly file: string;
  readonly port: number | null;
  readonly socket: string | null;
  readonly unit: string | null;
  readonly rdb: string | null;
  /** redis: the file of the server's password (requirePassSecret), handed to redis-cli in its environment. */
  readonly passwordFile: string | null;
}

/**
 * A database entry with what the host's own database modules say about it: the sqlite file and
 * owner of a services.sqlite entry, the redis server's socket or port, PostgreSQL's port.
 */
export function databaseEntry(
  d: Database,
  services: Record<string, any>,
  runtime: "podman" | "docker" = "podman",
): DatabaseEntry | { problem: string } {
  let path = d.path;
  let owner = d.owner;
  let port: number | null = null;
  let socket: string | null = null;
  if (d.type === "sqlite" && path === null) {
    const known = services.sqlite?.databases?.[d.name!];
    if (!known?.path) return { problem: `sqlite ${d.name}: there is no services.sqlite.databases.${d.name} with a path` };
    path = known.path as string;
    owner ??= (known.owner as string | undefined) ?? null;
  }
  let unit: string | null = null;
  let rdb: string | null = null;
  let passwordFile: string | null = null;
  if (d.type === "redis" && d.container === null) {
    // services.redis.servers.<name>: redis-<name>.service, its RDB file in /var/lib/redis-<name>.
    const server = services.redis?.servers?.[d.name!];
    if (server) {
      socket = server.unixSocket ?? null;
      port = server.port || null;
      unit = `redis-${d.name}.service`;
      rdb = `/var/lib/redis-${d.name}/dump.rdb`;
      if (server.requirePassSecret) passwordFile = `/run/roost/secrets/redis-${d.name}-password`;
    }
  }
  if (d.type === "postgresql" && d.container === null) {
    const p = services.postgresql?.port;
    port = typeof p === "number" && p !== 5432 ? p : null;
  }
  const label =
    d.name ??
    path!
      .split("/")
      .pop()!
      .replace(/\.(sqlite3?|db)$/, "")
      .replace(/[^A-Za-z0-9_.-]/g, "_");
  return {
    type: d.type,
    name: d.name,
    path,
    owner,
    container: d.container,
    runtime: d.container === null ? null : runtime,
    label,
    file: `${d.type}-${label}.${d.type === "redis" ? "rdb" : "sql"}`,
    port,
    socket,
    unit,
    rdb,
    passwordFile,
  };
}

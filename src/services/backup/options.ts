// The option types of services.backup: repositories, jobs, sources and the databases they dump.
import { option, types as t } from "roost";

/** Names of jobs and repositories: they become unit names, file names and restic tags. */
export const backupName = t.strMatching(/^[a-z0-9][a-z0-9_-]{0,47}$/, "name (a-z, 0-9, _ and -, up to 48 characters)");

const accountName = t.strMatching(/^[a-z_][a-z0-9_-]{0,31}$/, "user name (lower case, digits, _ and -)");
const fleetHost = t.strMatching(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "host name of the fleet");
const databaseName = t.strMatching(/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/, "database name (letters, digits, _ $ -)");
const containerName = t.strMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "container name");
/** A restic repository as restic spells it; no line break, and no credentials (use urlSecret for those). */
const repositoryUrl = t.strSatisfying("restic repository (a path, or sftp:, rest:, s3:, b2:, azure:, gs:, swift:, rclone:)", (v) => {
  if (/[\x00-\x1f\x7f]/.test(v)) return "it holds a line break or another control character";
  if (/^(rest|s3):[a-z]+:\/\/[^/@]*:[^/@]*@/.test(v)) return "it holds a password: put the whole URL in a secret and use urlSecret";
  return v.startsWith("/") || /^(sftp|rest|s3|b2|azure|gs|swift|rclone):./.test(v)
    ? null
    : "it is neither an absolute path nor a backend:… URL";
});
const httpEndpoint = t.strMatching(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, "http(s)://host[:port]");
const bucketName = t.strMatching(/^[a-z0-9][a-z0-9.-]{1,62}$/, "bucket name");
const objectPrefix = t.strMatching(/^([A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*)?$/, "object prefix (words separated by /)");
/** systemd's OnCalendar: no line breaks, nothing systemd would read as another key. */
export const calendarEvent = t.strMatching(/^[A-Za-z0-9*:,./~ -]+$/, 'systemd calendar event such as "daily" or "*-*-* 02:30:00"');
const readDataSubset = t.strMatching(/^(\d{1,3}(\.\d+)?%|\d+\/\d+|\d+[KMGT])$/, 'restic --read-data-subset value ("5%", "1/7", "2G")');
const excludePattern = t.strSatisfying("restic exclude pattern", (v) =>
  v === "" ? "it is empty" : /[\x00-\x1f\x7f]/.test(v) ? "it holds a line break or another control character" : null,
);

const sftpTarget = t.submodule({
  options: {
    host: option({
      type: fleetHost,
      description: "The fleet host that keeps the repository; Roost creates the account there and lets this host's key in.",
    }),
    path: option({
      type: t.nullOr(t.path),
      default: null,
      description: "The repository's directory on that host.",
      defaultText: "/srv/backup/<this host>/<repository>",
    }),
    user: option({
      type: t.nullOr(accountName),
      default: null,
      description: "The account on that host, one per client host; it may only speak sftp.",
      defaultText: "backup-<this host>",
    }),
  },
});

const s3Target = t.submodule({
  options: {
    endpoint: option({ type: httpEndpoint, description: "The S3 endpoint.", example: "https://s3.eu-central-003.backblazeb2.com" }),
    bucket: option({ type: bucketName, description: "The bucket." }),
    prefix: option({ type: objectPrefix, default: "", description: "A folder inside the bucket." }),
    region: option({
      type: t.nullOr(t.strMatching(/^[a-z0-9-]+$/, "region")),
      default: null,
      description: "The region, for endpoints that need one.",
    }),
    accessKeyIdSecret: option({ type: t.secretRef, description: "The access key id.", example: { secret: "backup_s3_key_id" } }),
    secretAccessKeySecret: option({
      type: t.secretRef,
      description: "The secret access key.",
      example: { secret: "backup_s3_secret_key" },
    }),
  },
});

export const repository = t.submodule({
  options: {
    url: option({
      type: t.nullOr(repositoryUrl),
      default: null,
      description: "The repository as restic names it: a local path, sftp:, rest:, s3: … (set exactly one of url, urlSecret, sftp and s3).",
      example: "/srv/restic",
    }),
    urlSecret: option({
      type: t.nullOr(t.secretRef),
      default: null,
      description:
        "The repository URL from a secret (RESTIC_REPOSITORY_FILE), for URLs that hold credentials (rest:https://user:password@…).",
    }),
    sftp: option({
      type: t.nullOr(sftpTarget),
      default: null,
      description: "A repository on another host of the fleet, over sftp with this host's SSH host key.",
    }),
    s3: option({
      type: t.nullOr(s3Target),
      default: null,
      description: "An S3-compatible bucket; its keys come from secrets, as a credentials file under /run.",
    }),
    passwordSecret: option({
      type: t.secretRef,
      description:
        "The repository's password (RESTIC_PASSWORD_FILE under /run/roost/secrets; never in a generation, a process list or the journal).",
      example: { secret: "backup_password" },
    }),
    initialize: option({
      type: t.bool,
      default: true,
      description: "Create the repository on the first run when it does not exist (restic init).",
    }),
    checkSchedule: option({
      type: t.nullOr(calendarEvent),
      default: "weekly",
      description: "When `restic check` verifies the repository (roost-backup-check-<name>.timer); null: never.",
    }),
    checkReadData: option({
      type: t.nullOr(readDataSubset),
      default: null,
      description: "Also read back this part of the data on each check (--read-data-subset); null checks the structure only.",
      example: "5%",
    }),
  },
  validate: (r) =>
    [r.url, r.urlSecret, r.sftp, r.s3].filter((x) => x !== null).length === 1 ? null : "set exactly one of url, urlSecret, sftp and s3",
});

export const databaseTypes = ["postgresql", "mysql", "redis", "sqlite"] as const;
export type DatabaseType = (typeof databaseTypes)[number];

export const database = t.submodule({
  options: {
    type: option({ type: t.enumOf([...databaseTypes]), description: "Which kind of database." }),
    name: option({
      type: t.nullOr(databaseName),
      default: null,
      description:
        "postgresql, mysql: the database; redis: the server (services.redis.servers.<name>); sqlite: an entry of services.sqlite.databases, or a label for the file.",
    }),
    path: option({ type: t.nullOr(t.path), default: null, description: "sqlite: the database file." }),
    owner: option({
      type: t.nullOr(accountName),
      default: null,
      description: "sqlite: the owner of a restored file (default: the entry's owner in services.sqlite.databases, else root).",
    }),
    container: option({
      type: t.nullOr(containerName),
      default: null,
      description: "Dump inside this podman container (`podman exec`) rather than on the host.",
    }),
  },
  validate: (d) => {
    if (d.type === "sqlite")
      return d.path === null && d.name === null ? "sqlite needs path (or the name of a services.sqlite.databases entry)" : null;
    if (d.path !== null) return `path is for sqlite; ${d.type} takes name`;
    return d.name === null ? `${d.type} needs name` : null;
  },
});

const what = {
  paths: option({ type: t.listOf(t.path), default: [], description: "Files and directories to back up.", example: ["/var/lib/shop"] }),
  exclude: option({
    type: t.listOf(excludePattern),
    default: [],
    description: "restic exclude patterns (--exclude).",
    example: ["/var/lib/shop/cache", "*.tmp"],
  }),
  databases: option({
    type: t.listOf(database),
    default: [],
    description: "Databases dumped straight into the repository (no temporary file), each as its own snapshot of the run.",
    example: [{ type: "postgresql", name: "shop" }],
  }),
};

const keep = (n: number | null, what: string) =>
  option({
    type: t.nullOr(t.ints.positive),
    default: n,
    description: `Keep the last ${what} snapshots (restic forget --keep-…); null: none by this rule.`,
  });

export const job = t.submodule({
  options: {
    repository: option({
      type: t.nullOr(backupName),
      default: null,
      description: "The services.backup.repositories entry it writes to.",
      defaultText: "services.backup.defaultRepository",
    }),
    ...what,
    schedule: option({ type: calendarEvent, default: "daily", description: "When it runs (the timer's OnCalendar)." }),
    randomizedDelay: option({
      type: t.duration,
      default: "1h",
      description: "Start up to this much later, so hosts do not all start at once.",
    }),
    persistent: option({ type: t.bool, default: true, description: "Catch up on a run missed while the host was off." }),
    retention: {
      keepLast: keep(null, "N"),
      keepHourly: keep(null, "N hourly"),
      keepDaily: keep(7, "N daily"),
      keepWeekly: keep(4, "N weekly"),
      keepMonthly: keep(6, "N monthly"),
      keepYearly: keep(null, "N yearly"),
    },
    maxAge: option({
      type: t.nullOr(t.duration),
      default: null,
      description: "The alert fires when the last success is older than this.",
      defaultText: "one schedule period (hourly, daily, weekly, monthly; otherwise a day) plus randomizedDelay and 2 hours",
    }),
    preHooks: option({
      type: t.listOf(t.lines),
      default: [],
      description: "Shell commands run before the backup (bash -e), e.g. to stop a service; a failure fails the run.",
      example: ["systemctl stop shop.service"],
    }),
    postHooks: option({
      type: t.listOf(t.lines),
      default: [],
      description: "Shell commands run after it, also when it failed, e.g. to start the service again.",
      example: ["systemctl start shop.service"],
    }),
  },
});

export const source = t.submodule({
  options: {
    ...what,
    job: option({
      type: t.nullOr(backupName),
      default: null,
      description: "The job that backs it up; null: a job of the source's own name.",
    }),
  },
});

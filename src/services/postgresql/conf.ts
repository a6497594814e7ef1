// postgresql.conf and pg_hba.conf, from typed values: every value reaches the server as written, or
// is refused by its type. `trust` is not a method these types know, so it cannot be written.
import { addressOrNetwork, option, types as t } from "roost";

/** A role or database name Roost can quote everywhere: letters, digits, _ and -, at most 63 bytes. */
export const sqlName = t.strSatisfying("PostgreSQL name (letters, digits, _ and -, at most 63, not starting with a digit or -)", (v) => {
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(v)) return "it has a character other than letters, digits, _ and -, or is too long";
  if (/^pg_/i.test(v)) return "names starting with pg_ are reserved by PostgreSQL";
  if (["public", "none", "all", "sameuser", "samerole", "samegroup", "replication"].includes(v.toLowerCase()))
    return "it is a keyword of PostgreSQL or of pg_hba.conf";
  return null;
});

/** A postgresql.conf parameter name; include directives are not settings. */
const settingName = t.strSatisfying("postgresql.conf parameter name (lower case, digits and _; one . for an extension's)", (v) => {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(v)) return "it is not a parameter name";
  if (v.startsWith("include")) return "include directives cannot be set here";
  return null;
});

const settingText = t.strSatisfying("postgresql.conf value (one line)", (v) =>
  /[\x00-\x1f\x7f]/.test(v) ? "it contains a line break or a control character, which postgresql.conf cannot hold" : null,
);

export const settingsType = t.attrsOf(t.oneOf([t.bool, t.int, settingText] as const), settingName);
export type Settings = Readonly<Record<string, boolean | number | string>>;

/** One `name = value` line per setting; strings single-quoted, with ' and \ escaped as the server reads them. */
export function renderSettings(settings: Settings): string {
  const value = (v: boolean | number | string) =>
    typeof v === "boolean" ? (v ? "on" : "off") : typeof v === "number" ? String(v) : `'${v.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
  const lines = Object.keys(settings)
    .sort()
    .map((k) => `${k} = ${value(settings[k]!)}\n`);
  return `# Written by Roost from services.postgresql.settings; read after postgresql.conf (include_dir = 'conf.d').\n${lines.join("")}`;
}

/**
 * Parameters PostgreSQL 15 reads only at server start (pg_settings.context = 'postmaster'). A change
 * of one restarts the server; a change of any other setting, or of pg_hba.conf, reloads it.
 */
export const restartOnlySettings = new Set([
  ...["archive_mode", "autovacuum_freeze_max_age", "autovacuum_max_workers", "autovacuum_multixact_freeze_max_age"],
  ...["bonjour", "bonjour_name", "cluster_name", "config_file", "data_directory", "data_sync_retry", "dynamic_shared_memory_type"],
  ...["event_source", "external_pid_file", "hba_file", "hot_standby", "huge_page_size", "huge_pages", "ident_file", "jit_provider"],
  ...["listen_addresses", "logging_collector", "max_connections", "max_files_per_process", "max_locks_per_transaction"],
  ...["max_logical_replication_workers", "max_pred_locks_per_transaction", "max_prepared_transactions", "max_replication_slots"],
  ...["max_wal_senders", "max_worker_processes", "min_dynamic_shared_memory", "old_snapshot_threshold", "port"],
  ...["recovery_target", "recovery_target_action", "recovery_target_inclusive", "recovery_target_lsn", "recovery_target_name"],
  ...["recovery_target_time", "recovery_target_timeline", "recovery_target_xid", "shared_buffers", "shared_memory_type"],
  ...["shared_preload_libraries", "superuser_reserved_connections", "track_activity_query_size", "track_commit_timestamp"],
  ...["unix_socket_directories", "unix_socket_group", "unix_socket_permissions", "wal_buffers", "wal_decode_buffer_size"],
  ...["wal_level", "wal_log_hints"],
]);

const hbaName = t.strMatching(/^\+?[A-Za-z_][A-Za-z0-9_-]{0,62}$/, "pg_hba.conf name (a keyword such as all, a name, or +group)");

/** One row of pg_hba.conf. */
export const hbaRow = t.submodule({
  options: {
    type: option({
      type: t.enumOf(["local", "host", "hostssl", "hostnossl"]),
      description: "local: the unix socket; host: TCP (hostssl/hostnossl: only with/without TLS).",
    }),
    database: option({
      type: t.listOf(hbaName),
      default: ["all"],
      description: "Databases the row applies to (all, replication, or names).",
    }),
    user: option({
      type: t.listOf(hbaName),
      default: ["all"],
      description: "Roles the row applies to (all, names, or +group for members).",
    }),
    address: option({
      type: t.nullOr(addressOrNetwork),
      default: null,
      description: "For TCP rows: the client address or network (an address alone means just that address).",
      example: "10.0.0.0/8",
    }),
    method: option({
      type: t.enumOf(["peer", "scram-sha-256", "cert", "reject"]),
      description:
        "peer: the OS user must have the role's name (unix socket only); scram-sha-256: the role's password; cert: a client certificate (hostssl); reject: refuse.",
    }),
  },
  validate: (r) => {
    if (r.database.length === 0 || r.user.length === 0) return "database and user need at least one entry";
    if (r.type === "local" && r.address !== null) return "a local row has no address";
    if (r.type !== "local" && r.address === null) return `a ${r.type} row needs an address`;
    if (r.method === "peer" && r.type !== "local") return "peer works on the unix socket only (type local)";
    if (r.method === "cert" && r.type !== "hostssl") return "cert works on hostssl rows only";
    return null;
  },
});
export type HbaRow = { type: string; database: readonly string[]; user: readonly string[]; address: string | null; method: string };

const withMask = (address: string) => (address.includes("/") ? address : `${address}/${address.includes(":") ? 128 : 32}`);

/** pg_hba.conf: first matching row wins. */
export function renderHba(rows: readonly HbaRow[]): string {
  const line = (r: HbaRow) =>
    [r.type, r.database.join(","), r.user.join(","), ...(r.address === null ? [] : [withMask(r.address)]), r.method].join(" ");
  return `# Written by Roost from services.postgresql.authentication; the first matching row wins.\n${rows.map((r) => `${line(r)}\n`).join("")}`;
}

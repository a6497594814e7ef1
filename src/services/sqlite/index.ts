// SQLite as a database of an app: a file with an owner, in a directory of its own that the owner
// may write (SQLite writes its -journal and -wal files beside the database). Declaring it here
// creates that directory and lists the database for whatever backs the host up: a consistent copy
// is `sqliteBackupCommand(db, destination)`, SQLite's online .backup run as the owner.
import { defineModule, mkDefault, mkIf, option, types as t } from "roost";

const accountName = t.strMatching(/^[a-z_][a-z0-9_-]*\$?$/, "user or group name (lower case, digits, _ and -)");
const databaseName = t.strMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "database name (letters, digits, _, . and -)");

const database = t.submodule({
  config: ({ name, config }) => ({
    path: mkDefault(`/var/lib/${name}/${name}.sqlite3`),
    get group() {
      return mkDefault(config.owner);
    },
  }),
  options: {
    path: option({ type: t.path, description: "The database file.", defaultText: "/var/lib/<name>/<name>.sqlite3" }),
    owner: option({ type: accountName, description: "The user that opens it (the app's user); owns its directory." }),
    group: option({ type: accountName, description: "The directory's group.", defaultText: "owner" }),
    mode: option({
      type: t.strMatching(/^[0-7]{4}$/, 'octal mode such as "0750"'),
      default: "0750",
      description: "Permissions of the directory that holds the database and its journal.",
    }),
  },
});

export interface SqliteDatabase {
  readonly path: string;
  readonly owner: string;
  readonly group: string;
  readonly mode: string;
}

/**
 * A consistent copy of a live database at `destination`, as argv: SQLite's .backup, run as the owner
 * through runuser (it takes the locks an ordinary reader takes, so the app keeps running). The
 * destination is double-quoted with backslash escapes, as the sqlite3 shell reads its arguments.
 */
export function sqliteBackupCommand(db: SqliteDatabase, destination: string): string[] {
  return ["/usr/sbin/runuser", "-u", db.owner, "--", "/usr/bin/sqlite3", db.path, `.backup "${destination.replace(/["\\]/g, "\\$&")}"`];
}

const directoryOf = (path: string) => path.slice(0, path.lastIndexOf("/")) || "/";

export const sqlite = defineModule({
  name: "sqlite",
  options: {
    services: {
      sqlite: {
        databases: option({
          type: t.attrsOf(database, databaseName),
          default: {},
          description:
            "SQLite databases of the host's apps, by name: each gets its directory, owned by its user, and is listed for backups.",
          example: { shop: { path: "/var/lib/shop/db.sqlite3", owner: "shop" } },
        }),
      },
    },
  },
  config: ({ config }) => {
    const dbs = Object.entries(config.services.sqlite.databases);
    const byPath = new Map<string, string[]>();
    for (const [name, db] of dbs) byPath.set(db.path, [...(byPath.get(db.path) ?? []), name]);
    return mkIf(dbs.length > 0, {
      packages: ["sqlite3"],
      directories: Object.fromEntries(dbs.map(([, db]) => [directoryOf(db.path), { owner: db.owner, group: db.group, mode: db.mode }])),
      assertions: [
        ...[...byPath]
          .filter(([, names]) => names.length > 1)
          .map(([path, names]) => ({
            assertion: false,
            message: `services.sqlite.databases: ${names.join(" and ")} are the same file ${path}`,
            options: names.map((n) => ["services", "sqlite", "databases", n, "path"]),
          })),
        ...dbs.map(([name, db]) => ({
          assertion: directoryOf(db.path) !== "/",
          message: `services.sqlite.databases.${name}.path: a database needs a directory of its own, not /`,
          options: [["services", "sqlite", "databases", name, "path"]],
        })),
      ],
    });
  },
});

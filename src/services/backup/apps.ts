// Backups of services.apps: every app gets a `backup` option (through the submodule extension) and,
// when it is on, a services.backup.sources entry of its own name: its data directories and its
// database. On a host with backups enabled, apps are backed up unless they say otherwise.
import { defineModule, mkDefault, option, types as t } from "roost";
import { appDataDirectories, appName, apps, databaseName, sqlitePath, type AppConfig } from "roost/services/app";
import { backup } from "./backup.ts";
import { backupName } from "./options.ts";

const appBackup = t.submodule({
  options: {
    backup: {
      enable: option({
        type: t.bool,
        description: "Back up this app's data directories and database.",
        defaultText: "services.backup.enable",
      }),
      exclude: option({
        type: t.listOf(t.str),
        default: [],
        description: "restic exclude patterns within its directories.",
        example: ["*/cache/*"],
      }),
      job: option({
        type: t.nullOr(backupName),
        default: null,
        description: "The backup job it goes into; null: a job of the app's own name.",
      }),
    },
  },
  config: ({ host }) => ({ backup: { enable: mkDefault(host.config.services.backup?.enable ?? false) } }),
});

/** The source an app asks for: its directories and its database, as services.backup names them. */
export function appSource(name: string, a: AppConfig & { backup: { exclude: string[]; job: string | null } }) {
  const db = a.database;
  const databases =
    db === null
      ? []
      : db.type === "sqlite"
        ? [{ type: "sqlite" as const, path: sqlitePath(a)!, owner: a.user }]
        : db.type === "redis"
          ? [{ type: "redis" as const, name: db.name ?? name }]
          : [{ type: db.type, name: databaseName(a) }];
  return { paths: appDataDirectories(a), exclude: a.backup.exclude, databases, job: a.backup.job };
}

export const backupApps = defineModule({
  name: "backup-apps",
  imports: [backup, apps],
  options: {
    services: {
      // The key type as services.apps declares it: two declarations merge when their keys agree.
      apps: option({
        type: t.attrsOf(appBackup, appName),
        description: "Web apps, with their backups.",
      }),
    },
  },
  config: ({ config }) => ({
    services: {
      backup: {
        get sources() {
          return Object.fromEntries(
            Object.entries(config.services.apps)
              .filter(([, a]) => a.enable && a.backup.enable)
              .map(([name, a]) => [name, appSource(name, a)]),
          );
        },
      },
    },
  }),
});

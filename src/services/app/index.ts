// services.apps.<name>: a generic web app, the shape most services need. A command (or a Python
// WSGI module under Debian's gunicorn) runs as its own system user with a hardened unit; settings
// are rendered through a format; preStart steps (migrations, collectstatic) run before every start
// and reload and fail the deploy when they fail; nginx serves it under a domain with ACME; its
// database, data directories, health and metrics paths are plain options that monitoring and
// backup modules read (also from other hosts, through nodes).
//
// A change of the code or the settings of a WSGI app reloads it (gunicorn HUP: new workers, old
// ones finish their requests, the socket stays open); a change of how it runs (port, workers,
// environment, secrets) restarts it.
import { defineModule, mkMerge, option, types as t } from "roost";
import { acme } from "roost/services/acme";
import { mail, notifyUnitFor } from "roost/services/mail";
import { mysql, mysqlReadyUnit } from "roost/services/mysql";
import { nginx } from "roost/services/nginx";
import { postgresql, postgresqlReadyUnit } from "roost/services/postgresql";
import { redis, redisUnit } from "roost/services/redis";
import { sqlite as sqliteModule } from "roost/services/sqlite";
import { scrapeTargets } from "roost/services/scrape-targets";
import { type AppConfig, app } from "./app.ts";
import { codeFiles, type CodeFile } from "./code.ts";
import { settingsFormats } from "./options.ts";
import { appUnits } from "./units.ts";

export { setupUnit } from "./units.ts";
export type { AppConfig } from "./app.ts";

const gunicorn = "/usr/bin/gunicorn";

/** The address a local client uses to reach a listener on `host` (a wildcard: loopback). */
const loopbackFor = (host: string) => (host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host);

/** host:port as a URL authority, reached from the host itself. */
function localAuthority(host: string, port: number): string {
  const address = loopbackFor(host);
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Where the code of an app is installed. */
export const codeDirectory = (name: string, a: AppConfig) => (a.code ? (a.code.directory ?? `/opt/${name}`) : null);

/** The sqlite file of an app (null when its database is not sqlite). */
export const sqlitePath = (a: AppConfig) =>
  a.database?.type === "sqlite" ? (a.database.path ?? `${a.workingDirectory}/database.sqlite`) : null;

/** Every directory the app writes to: what a backup of the app keeps (its database aside). */
export function appDataDirectories(a: AppConfig): string[] {
  return [a.workingDirectory, ...a.dataDirectories, ...(a.virtualHost?.staticFiles ? [a.virtualHost.staticFiles.directory] : [])].filter(
    (d, i, all) => all.indexOf(d) === i,
  );
}

const parentOf = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";
const isInside = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);

function settingsText(a: AppConfig): { text: string; error: string | null } {
  try {
    return { text: settingsFormats[a.settingsFormat].format.generate(a.settings as never), error: null };
  } catch (e) {
    return { text: "", error: (e as Error).message };
  }
}

/** The names of services.apps entries; a module that adds options to every app declares its own with this key type. */
export const appName = t.strMatching(/^[a-z][a-z0-9-]{0,40}$/, "app name (a-z, 0-9, -)");

export const apps = defineModule({
  name: "app",
  imports: [mail, nginx, acme, postgresql, mysql, redis, sqliteModule, scrapeTargets],
  options: {
    services: {
      apps: option({
        type: t.attrsOf(app, appName),
        default: {},
        description: "Web apps, by name: each runs as <name>.service under its own user.",
        example: {
          shop: {
            wsgi: { module: "shop.wsgi:application", workers: 3 },
            port: 8000,
            virtualHost: { domain: "shop.example.org" },
            preStart: [["python3", "manage.py", "migrate", "--noinput"]],
          },
        },
      }),
    },
  },
  config: ({ config }) => {
    const enabled = Object.entries(config.services.apps).filter(([, a]) => a.enable);
    const hostHas = {
      mail: config.services.mail.smarthost.host !== null,
      postgresql: config.services.postgresql.enable,
      mysql: config.services.mysql.enable,
    };
    return mkMerge(enabled.map(([name, a]) => appConfig(name, a, hostHas)));
  },
});

/** What the host offers an app: mail, and which database servers are enabled. */
interface HostServices {
  readonly mail: boolean;
  readonly postgresql: boolean;
  readonly mysql: boolean;
}

/** The unix socket of the Redis server `server` (the redis module's default path). */
const redisSocket = (server: string) => `/run/${server === "" ? "redis-server" : `redis-${server}`}/redis.sock`;

/** The database's name: given, or the app's user (PostgreSQL's peer authentication matches them). */
export const databaseName = (a: AppConfig) => a.database?.name ?? a.user.replaceAll("-", "_");

function appConfig(name: string, a: AppConfig, hostHas: HostServices) {
  const at = (...rest: string[]) => ["services", "apps", name, ...rest];
  const settings = settingsText(a);
  const hasSettings = Object.keys(a.settings as object).length > 0;
  const codeDir = codeDirectory(name, a);
  let code: CodeFile[] = [];
  let codeError: string | null = null;
  if (a.code) {
    try {
      code = codeFiles(a.code.source);
      if (code.length === 0) codeError = `${a.code.source} holds no files`;
    } catch (e) {
      codeError = `cannot read ${a.code.source}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
    }
  }
  const statics = a.virtualHost?.staticFiles ?? null;
  const sqlite = sqlitePath(a);
  const dataDirs = appDataDirectories(a);
  const writable = [...dataDirs, ...(sqlite && !dataDirs.some((d) => isInside(sqlite, d)) ? [parentOf(sqlite)] : [])];
  const db = a.database;
  const dbName = databaseName(a);
  const pg = db?.type === "postgresql";
  const my = db?.type === "mysql";
  // Redis: a server of the app's own (services.redis.servers.<name>), reached on its unix socket.
  const redisServer = db?.type === "redis" ? (db.name ?? name) : null;
  const dbReady = pg ? [postgresqlReadyUnit] : my ? [mysqlReadyUnit] : redisServer !== null ? [redisUnit(redisServer)] : [];
  const dbEnvironment: Record<string, string> = pg
    ? { PGHOST: "/run/postgresql", PGDATABASE: dbName, PGUSER: a.user, DATABASE_URL: `postgresql:///${dbName}?host=/run/postgresql` }
    : my
      ? {
          MYSQL_UNIX_PORT: "/run/mysqld/mysqld.sock",
          MYSQL_DATABASE: dbName,
          DATABASE_URL: `mysql://${a.user}@localhost/${dbName}?unix_socket=/run/mysqld/mysqld.sock`,
        }
      : sqlite
        ? { DATABASE_PATH: sqlite }
        : redisServer !== null
          ? { REDIS_URL: `unix://${redisSocket(redisServer)}` }
          : {};
  const environment: Record<string, string> = {
    ...(hasSettings ? { [a.settingsVariable]: a.settingsFile } : {}),
    ...(a.port !== null ? { HOST: a.host, PORT: String(a.port) } : {}),
    ...(a.wsgi !== null ? { PYTHONDONTWRITEBYTECODE: "1", PYTHONUNBUFFERED: "1" } : {}),
    ...(a.wsgi !== null && codeDir ? { PYTHONPATH: codeDir } : {}),
    ...dbEnvironment,
    ...a.environment,
  };
  const command = a.wsgi
    ? [
        gunicorn,
        `--bind=${a.host.includes(":") ? `[${a.host}]` : a.host}:${a.port}`,
        `--workers=${a.wsgi.workers}`,
        `--threads=${a.wsgi.threads}`,
        `--timeout=${a.wsgi.timeout}`,
        "--access-logfile=-",
        ...a.wsgi.extraArgs,
        a.wsgi.module,
      ]
    : a.command!;
  // nginx reads the collected static files: the steps leave them readable by everyone.
  const steps = [...a.preStart, ...(statics ? [["/bin/chmod", "-R", "u=rwX,go=rX", statics.directory]] : [])];
  const secretsOutput = Object.keys(a.secrets).length ? `app-${name}` : null;
  const main = `${name}.service`;
  const workingMode = statics && isInside(statics.directory, a.workingDirectory) ? "0711" : "0750";
  const notify = a.notifyOnFailure;
  const proxyTo = a.port !== null ? `http://${localAuthority(a.host, a.port)}` : null;

  return {
    assertions: [
      {
        assertion: settings.error === null,
        message: `services.apps.${name}.settings cannot be written as ${a.settingsFormat}: ${settings.error}`,
        options: [at("settings"), at("settingsFormat")],
      },
      { assertion: codeError === null, message: `services.apps.${name}.code.source: ${codeError}`, options: [at("code", "source")] },
      {
        assertion: !notify || hostHas.mail,
        message: `services.apps.${name}.notifyOnFailure needs services.mail.smarthost.host: there is no way to send the mail`,
        options: [at("notifyOnFailure")],
      },
      {
        assertion: !pg || hostHas.postgresql,
        message: `services.apps.${name}.database is a PostgreSQL database, but services.postgresql is not enabled on this host: enable it, or choose another database type`,
        options: [at("database", "type")],
      },
      {
        assertion: !pg || dbName === a.user,
        message: `services.apps.${name}.database.name must be the app's user (${a.user}): PostgreSQL's peer authentication lets the user own only the database of its own name`,
        options: [at("database", "name"), at("user")],
      },
      {
        assertion: !my || hostHas.mysql,
        message: `services.apps.${name}.database is a MySQL database, but services.mysql is not enabled on this host: enable it, or choose another database type`,
        options: [at("database", "type")],
      },
      {
        assertion: !statics || !isInside(statics.directory, "/var/lib/roost"),
        message: `services.apps.${name}.virtualHost.staticFiles.directory is Roost's own`,
        options: [at("virtualHost", "staticFiles", "directory")],
      },
    ],
    warnings:
      a.metricsPath !== null && (a.host.startsWith("127.") || a.host === "::1")
        ? [
            `services.apps.${name}.metricsPath: the app listens on ${a.host} only, but scrape servers read metrics on the host's address: set host = "0.0.0.0" and open the port to them (networking.firewall.sources)`,
          ]
        : [],
    users: {
      users: {
        [a.user]: {
          isSystemUser: true,
          group: a.group,
          home: a.workingDirectory,
          createHome: false,
        },
      },
      groups: { [a.group]: {} },
    },
    packages: [...(a.wsgi ? ["gunicorn", "python3"] : []), ...a.packages],
    directories: Object.fromEntries([
      // Others may pass through the working directory (not list it) when nginx serves files inside it.
      [
        a.workingDirectory,
        { owner: a.user, group: a.group, mode: statics && isInside(statics.directory, a.workingDirectory) ? "0711" : "0750" },
      ],
      ...a.dataDirectories.map((d) => [d, { owner: a.user, group: a.group, mode: "0750" }]),
      ...(statics ? [[statics.directory, { owner: a.user, group: a.group, mode: "0755" }]] : []),
    ]),
    files: {
      ...(hasSettings && settings.error === null ? { [a.settingsFile]: { text: settings.text, group: a.group, mode: "0640" } } : {}),
      ...Object.fromEntries(code.map((f) => [`${codeDir}/${f.relative}`, { source: f.source, mode: "0644" }])),
    },
    secrets: secretsOutput ? { [secretsOutput]: { environment: a.secrets } } : {},
    systemd: {
      services: appUnits({
        name,
        app: a,
        environment,
        secretsOutput,
        writable,
        needs: dbReady,
        // The package's group, which owns the socket (a unit setting: the group exists once the package is in).
        supplementaryGroups: redisServer !== null ? ["redis"] : [],
        onFailure: (unit) => (notify ? [notifyUnitFor(unit)] : []),
        steps,
        command,
        changeTriggers: [settings.text, code.map((f) => [f.relative, f.sha256])],
      }),
    },
    networking: {
      ports: a.port !== null ? { [name]: { port: a.port, address: a.host, option: at("port") } } : {},
      firewall: { allowedTCPPorts: a.openFirewall && a.port !== null ? [a.port] : [] },
    },
    healthChecks:
      a.port === null
        ? { [`app-${name}`]: { type: "unit" as const, unit: main } }
        : a.healthPath !== null
          ? { [`app-${name}`]: { type: "http" as const, url: `${proxyTo}${a.healthPath}` } }
          : { [`app-${name}`]: { type: "tcp" as const, host: loopbackFor(a.host), port: a.port } },
    monitoring: { scrapeTargets: a.metricsPath !== null ? { [name]: { port: a.port!, path: a.metricsPath } } : {} },
    services: {
      postgresql: pg ? { ensureDatabases: [dbName], ensureUsers: [{ name: a.user, ensureDBOwnership: true }] } : {},
      mysql: my
        ? { ensureDatabases: [dbName], ensureUsers: [{ name: a.user, ensurePermissions: { [`${dbName}.*`]: "ALL PRIVILEGES" } }] }
        : {},
      redis: redisServer !== null ? { servers: { [redisServer]: { enable: true } } } : {},
      // Listed for backups; its directory is the app's own (the same mode, when it is the working directory).
      sqlite: sqlite
        ? {
            databases: {
              [db?.name ?? name]: {
                path: sqlite,
                owner: a.user,
                group: a.group,
                mode: parentOf(sqlite) === a.workingDirectory ? workingMode : "0750",
              },
            },
          }
        : {},
      nginx: a.virtualHost
        ? {
            enable: true,
            virtualHosts: {
              [a.virtualHost.domain]: {
                serverAliases: a.virtualHost.aliases,
                forceSSL: a.virtualHost.forceSSL ?? a.virtualHost.enableACME,
                enableACME: a.virtualHost.enableACME,
                clientMaxBodySize: a.virtualHost.clientMaxBodySize,
                locations: {
                  "/": { proxyPass: proxyTo, recommendedProxySettings: true },
                  ...(statics
                    ? { [statics.urlPath]: { alias: statics.urlPath.endsWith("/") ? `${statics.directory}/` : statics.directory } }
                    : {}),
                },
              },
            },
          }
        : {},
    },
  };
}

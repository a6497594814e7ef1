// PostgreSQL from Debian (15 on Debian 12): the cluster the package creates, its settings, its
// pg_hba.conf, and the roles and databases services need, their passwords from secrets.
//
// Consumers start after their database is ready: a unit that uses the database orders after and
// requires `postgresqlReadyUnit` (postgresql-setup.service), e.g.
//   systemd.services.shop = { ...requirePostgresql(), … }
// That unit is active once the server answers and every ensured role, database and password is in
// place; it runs again whenever the server restarts or an ensure* option or a password changes.
import { addressOrNetwork, defineModule, enableOption, execLine, mkIf, option, secret, types as t, type SecretRef } from "roost";
import { type HbaRow, hbaRow, renderHba, renderSettings, restartOnlySettings, settingsType, sqlName } from "./conf.ts";
import { mergeEnsureUsers, renderEnsureSql, renderSetupScript, setPasswordScript } from "./setup.ts";

/** The unit a consumer orders after and requires: the server answers and ensure* is done. */
export const postgresqlReadyUnit = "postgresql-setup.service";

/** `after` and `requires` on postgresqlReadyUnit, to spread into a consumer's systemd service. */
export function requirePostgresql(): { after: string[]; requires: string[] } {
  return { after: [postgresqlReadyUnit], requires: [postgresqlReadyUnit] };
}

const ipAddress = t.strMatching(/^([0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)$/, "IP address");
const loopback = (a: string) => a.startsWith("127.") || a === "::1";
const socketDir = "/run/postgresql";
const helperDir = "/etc/roost/postgresql";

const clause = (what: string) =>
  option({ type: t.nullOr(t.bool), default: null, description: `Give (true) or take (false) ${what}; null leaves it.` });

const ensureUser = t.submodule({
  options: {
    name: option({ type: sqlName, description: "The role's name; for peer authentication, the name of the OS user that connects." }),
    ensureDBOwnership: option({
      type: t.bool,
      default: false,
      description: "Make the role the owner of the database of the same name (which ensureDatabases must list).",
    }),
    passwordSecret: option({
      type: t.nullOr(t.secretRef),
      default: null,
      description:
        "The role's password, for TCP connections (scram-sha-256): set from this secret as a SCRAM verifier computed on the host, so the plaintext never reaches the server, a process list or a log. null leaves the password as it is.",
      example: { secret: "shop_db_password" },
    }),
    ensureClauses: {
      superuser: clause("SUPERUSER"),
      createrole: clause("CREATEROLE"),
      createdb: clause("CREATEDB"),
      login: clause("LOGIN (a role created here can log in)"),
      replication: clause("REPLICATION"),
      bypassrls: clause("BYPASSRLS"),
    },
  },
});

export const postgresql = defineModule({
  name: "postgresql",
  options: {
    services: {
      postgresql: {
        enable: enableOption("the PostgreSQL server"),
        package: option({
          type: t.strMatching(/^postgresql-\d+$/, "postgresql-<major version>"),
          default: "postgresql-15",
          description: "The Debian package of the server; its major version names the cluster (/etc/postgresql/<major>/main).",
        }),
        port: option({ type: t.port, default: 5432, description: "The TCP port, also the name of the unix socket in /run/postgresql." }),
        listenAddresses: option({
          type: t.listOf(ipAddress),
          default: ["127.0.0.1"],
          description:
            "Addresses to accept TCP connections on (listen_addresses); 0.0.0.0 and :: mean every address. Local only by default.",
          example: ["127.0.0.1", "10.0.0.5"],
        }),
        settings: option({
          type: settingsType,
          default: {},
          description:
            "postgresql.conf parameters, written to conf.d/roost.conf. A change reloads the server, except parameters it reads only at start (shared_buffers, max_connections, …), which restart it.",
          example: { shared_buffers: "256MB", log_min_duration_statement: 500 },
        }),
        authentication: option({
          type: t.listOf(hbaRow),
          default: [],
          description:
            "pg_hba.conf rows, checked before the defaults (postgres by peer; every role by peer on the unix socket and by password over TCP). There is no way to write `trust`.",
          example: [{ type: "host", database: ["shop"], user: ["shop"], address: "10.0.0.0/8", method: "scram-sha-256" }],
        }),
        ensureDatabases: option({
          type: t.listOf(sqlName),
          default: [],
          description: "Databases to create when missing.",
          example: ["shop"],
        }),
        ensureUsers: option({
          type: t.listOf(ensureUser),
          default: [],
          description: "Roles to create when missing (with LOGIN), and what to keep true of them.",
          example: [{ name: "shop", ensureDBOwnership: true, passwordSecret: secret("shop_db_password") }],
        }),
        openFirewall: option({
          type: t.bool,
          default: false,
          description: "Open the port to every address, and accept their password logins (needs a listen address beyond loopback).",
        }),
        allowedSources: option({
          type: t.listOf(addressOrNetwork),
          default: [],
          description: "Addresses and networks the port is open to, and whose password logins pg_hba.conf accepts.",
          example: ["10.0.0.0/24"],
        }),
      },
    },
  },
  config: ({ config }) => {
    const cfg = config.services.postgresql;
    const major = cfg.package.slice("postgresql-".length);
    const cluster = `${major}-main`;
    const server = `postgresql@${cluster}`;
    const confDir = `/etc/postgresql/${major}/main`;
    const bin = `/usr/lib/postgresql/${major}/bin`;
    const settings = { ...cfg.settings, port: cfg.port, listen_addresses: cfg.listenAddresses.join(",") };
    const remote = cfg.listenAddresses.some((a) => !loopback(a));
    // allowedSources often names other hosts (nodes.app.config.networking.addresses), which may read
    // this host in turn: it is read only in getters, when the options that need it are merged.
    const remoteSources = () => [...(cfg.openFirewall ? ["0.0.0.0/0", "::/0"] : []), ...cfg.allowedSources];
    let hbaCache: string | undefined;
    const hbaText = () =>
      (hbaCache ??= renderHba([
        { type: "local", database: ["all"], user: ["postgres"], address: null, method: "peer" },
        ...cfg.authentication,
        { type: "local", database: ["all"], user: ["all"], address: null, method: "peer" },
        ...["127.0.0.1", "::1", ...remoteSources()].map((address) => ({
          type: "host",
          database: ["all"],
          user: ["all"],
          address,
          method: "scram-sha-256",
        })),
      ] satisfies HbaRow[]));
    const settingsText = renderSettings(settings);
    const databases = [...new Set(cfg.ensureDatabases)];
    const { users, conflicts } = mergeEnsureUsers<SecretRef>(cfg.ensureUsers);
    const passwords = users.filter((u): u is typeof u & { passwordSecret: SecretRef } => u.passwordSecret !== null);
    const passwordOutput = (role: string) => `postgresql-password-${role}`;
    const ensureSql = renderEnsureSql(databases, users);
    const passwordList = passwords.map((u) => `${u.name}\n`).join("");
    const setupScript = renderSetupScript({
      bin,
      dataDir: `/var/lib/postgresql/${major}/main`,
      helperDir,
      passwordPrefix: `/run/roost/secrets/${passwordOutput("")}`,
    });

    return mkIf(cfg.enable, {
      packages: [cfg.package, "perl"],
      files: {
        [`${confDir}/conf.d/roost.conf`]: { text: settingsText, owner: "postgres", group: "postgres", mode: "0644" },
        // The whole file, replacing Debian's (whose comments list every method, trust included).
        [`${confDir}/pg_hba.conf`]: {
          get text() {
            return hbaText();
          },
          owner: "postgres",
          group: "postgres",
          mode: "0640",
        },
        [`${helperDir}/ensure.sql`]: { text: ensureSql, mode: "0644" },
        [`${helperDir}/passwords`]: { text: passwordList, mode: "0644" },
        [`${helperDir}/set-password`]: { text: setPasswordScript, mode: "0755" },
        [`${helperDir}/setup`]: { text: setupScript, mode: "0755" },
      },
      secrets: Object.fromEntries(
        passwords.map((u) => [passwordOutput(u.name), { secret: u.passwordSecret, owner: "postgres", mode: "0400" }]),
      ),
      systemd: {
        services: {
          // Debian's postgresql@.service template, as the unit of this one cluster in /etc/systemd/system,
          // so that Roost restarts or reloads it when its settings change. The package's postinst
          // creates the cluster (initdb with peer and scram-sha-256) and starts it.
          [server]: {
            description: `PostgreSQL Cluster ${cluster}`,
            documentation: ["man:pg_ctlcluster(1)"],
            after: ["network.target"],
            before: ["postgresql.service"],
            partOf: ["postgresql.service"],
            wantedBy: ["multi-user.target"],
            unitConfig: {
              ConditionPathExists: [`${confDir}/postgresql.conf`],
              RequiresMountsFor: [`/etc/postgresql/${major}/main`, `/var/lib/postgresql/${major}/main`],
              extraConfig: { ReloadPropagatedFrom: "postgresql.service" },
            },
            serviceConfig: {
              Type: "forking",
              ExecStart: [execLine(["/usr/bin/pg_ctlcluster", "--skip-systemctl-redirect", cluster, "start"])],
              ExecStop: [execLine(["/usr/bin/pg_ctlcluster", "--skip-systemctl-redirect", "-m", "fast", cluster, "stop"])],
              ExecReload: [execLine(["/usr/bin/pg_ctlcluster", "--skip-systemctl-redirect", cluster, "reload"])],
              PIDFile: `${socketDir}/${cluster}.pid`,
              SyslogIdentifier: server,
              TimeoutStartSec: 0,
              TimeoutStopSec: 3600,
              extraConfig: { OOMScoreAdjust: -900 },
            },
            restartTriggers: Object.entries(settings).filter(([k]) => restartOnlySettings.has(k)),
            get reloadTriggers() {
              return [settingsText, hbaText()];
            },
          },
          "postgresql-setup": {
            description: "PostgreSQL roles, databases and passwords (services.postgresql.ensure*)",
            after: [`${server}.service`],
            requires: [`${server}.service`],
            wantedBy: ["multi-user.target"],
            secrets: passwords.map((u) => passwordOutput(u.name)),
            // A change of what it ensures, or of a password, runs it again as a reload: the units that
            // require it keep running.
            onSecretChange: "reload",
            serviceConfig: {
              Type: "oneshot",
              RemainAfterExit: true,
              User: "postgres",
              Group: "postgres",
              ExecStart: [execLine(["/bin/sh", `${helperDir}/setup`])],
              ExecReload: [execLine(["/bin/sh", `${helperDir}/setup`])],
              TimeoutStartSec: 300,
            },
            reloadTriggers: [setupScript, ensureSql, passwordList, setPasswordScript],
          },
        },
      },
      networking: {
        ports: Object.fromEntries(
          cfg.listenAddresses.map((address, i) => [
            cfg.listenAddresses.length === 1 ? "postgresql" : `postgresql-${i}`,
            { port: cfg.port, address, option: ["services", "postgresql", "port"] },
          ]),
        ),
        firewall: {
          allowedTCPPorts: cfg.openFirewall ? [cfg.port] : [],
          get sources() {
            const sources: Record<string, { addresses: string[]; allowedTCPPorts: number[] }> = {};
            if (cfg.allowedSources.length > 0) sources.postgresql = { addresses: cfg.allowedSources, allowedTCPPorts: [cfg.port] };
            return sources;
          },
        },
      },
      healthChecks: {
        postgresql: { type: "command", command: [`${bin}/pg_isready`, "-q", "-h", socketDir, "-p", String(cfg.port)], user: "postgres" },
      },
      get assertions() {
        return [
          ...(
            [
              ["port", "port"],
              ["listen_addresses", "listenAddresses"],
            ] as const
          ).map(([key, own]) => ({
            assertion: !(key in cfg.settings),
            message: `services.postgresql.settings.${key}: set services.postgresql.${own} instead`,
            options: [["services", "postgresql", "settings", key]],
          })),
          ...conflicts.map((message) => ({
            assertion: false,
            message: `services.postgresql.ensureUsers: ${message}`,
            options: [["services", "postgresql", "ensureUsers"]],
          })),
          ...cfg.ensureUsers
            .map((u, i) => ({ u, i }))
            .filter(({ u }) => u.ensureDBOwnership && !cfg.ensureDatabases.includes(u.name))
            .map(({ u, i }) => ({
              assertion: false,
              message: `services.postgresql.ensureUsers[${i}].ensureDBOwnership: there is no database "${u.name}" in services.postgresql.ensureDatabases`,
              options: [["services", "postgresql", "ensureUsers"]],
            })),
          {
            assertion: remote || remoteSources().length === 0,
            message:
              "services.postgresql: openFirewall and allowedSources open the port to other hosts, but listenAddresses has only loopback addresses",
            options: [
              ["services", "postgresql", "openFirewall"],
              ["services", "postgresql", "allowedSources"],
              ["services", "postgresql", "listenAddresses"],
            ],
          },
        ];
      },
    });
  },
});

// MariaDB from Debian (mariadb-server, 10.11 on Debian 12) as services.mysql, NixOS's name: its
// settings, the databases and users services need, their passwords from secrets.
//
// Every user is 'name'@'localhost' and logs in as the OS user of the same name over the unix socket
// (unix_socket, no password); a user with passwordSecret may also log in with that password.
// Consumers start after their database is ready: they order after and require `mysqlReadyUnit`
// (mysql-setup.service), e.g. `systemd.services.shop = { ...requireMysql(), … }`. It is active once
// the server answers and every ensured database, user and password is in place, and runs again (as
// a reload, so that its consumers keep running) when an ensure* option or a password changes.
import {
  defineModule,
  enableOption,
  execLine,
  formats,
  mkIf,
  option,
  secret,
  servicePort,
  servicePortOptions,
  types as t,
  type SecretRef,
} from "roost";
import { renderEnsureSql, renderSetupScript, setPasswordScript } from "./setup.ts";

/** The unit a consumer orders after and requires: the server answers and ensure* is done. */
export const mysqlReadyUnit = "mysql-setup.service";

/** `after` and `requires` on mysqlReadyUnit, to spread into a consumer's systemd service. */
export function requireMysql(): { after: string[]; requires: string[] } {
  return { after: [mysqlReadyUnit], requires: [mysqlReadyUnit] };
}

const ini = formats.ini();
const ipAddress = t.strMatching(/^([0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)$/, "IP address");
const sqlName = t.strMatching(
  /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/,
  "MariaDB name (letters, digits, _ and -, at most 64, not starting with a digit or -)",
);
const grantTarget = t.strMatching(
  /^(\*|[A-Za-z_][A-Za-z0-9_-]{0,63})\.(\*|[A-Za-z_][A-Za-z0-9_-]{0,63})$/,
  'database.table, with * for all ("shop.*")',
);
const privileges = t.strMatching(/^[A-Z][A-Z ]*[A-Z](, ?[A-Z][A-Z ]*[A-Z])*$/, 'privileges such as "ALL PRIVILEGES" or "SELECT, INSERT"');
const helperDir = "/etc/roost/mysql";
const confPath = "/etc/mysql/mariadb.conf.d/99-roost.cnf";
const passwordOutput = (user: string) => `mysql-password-${user}`;

const ensureUser = t.submodule({
  options: {
    name: option({ type: sqlName, description: "The user ('name'@'localhost'); the OS user of this name logs in over the unix socket." }),
    ensurePermissions: option({
      type: t.attrsOf(privileges, grantTarget),
      default: {},
      description: "Privileges to grant, by database.table (granted, never revoked).",
      example: { "shop.*": "ALL PRIVILEGES" },
    }),
    passwordSecret: option({
      type: t.nullOr(t.secretRef),
      default: null,
      description:
        "A password the user may log in with as well (TCP from loopback, or another OS user): set from this secret as a hash computed on the host, so the plaintext never reaches the server, a process list or a log.",
      example: { secret: "shop_db_password" },
    }),
  },
});

export const mysql = defineModule({
  name: "mysql",
  options: {
    services: {
      mysql: {
        enable: enableOption("the MariaDB server"),
        package: option({ type: t.pkg, default: "mariadb-server", description: "The Debian package of the server." }),
        port: option({ type: t.port, default: 3306, description: "The TCP port." }),
        bind: option({
          type: t.listOf(ipAddress),
          default: ["127.0.0.1"],
          description: "Addresses to accept TCP connections on (bind-address); 0.0.0.0 and :: mean every address. Local only by default.",
        }),
        settings: option({
          type: ini.type,
          default: {},
          description:
            "More of the server's option file (/etc/mysql/mariadb.conf.d/99-roost.cnf), by section, in MariaDB's own names. A change restarts the server.",
          example: { mysqld: { innodb_buffer_pool_size: "256M", "skip-name-resolve": 1 } },
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
          description: "Users to create when missing, and the privileges to grant them.",
          example: [{ name: "shop", ensurePermissions: { "shop.*": "ALL PRIVILEGES" }, passwordSecret: secret("shop_db_password") }],
        }),
        ...servicePortOptions(),
      },
    },
  },
  config: ({ config }) => {
    const cfg = config.services.mysql;
    const databases = [...new Set(cfg.ensureDatabases)];
    const passwords = new Map<string, SecretRef>();
    const conflicts: string[] = [];
    for (const u of cfg.ensureUsers) {
      if (u.passwordSecret === null) continue;
      const seen = passwords.get(u.name);
      if (seen && seen.secret !== u.passwordSecret.secret) conflicts.push(u.name);
      passwords.set(u.name, u.passwordSecret);
    }
    const ensureSql = renderEnsureSql(databases, cfg.ensureUsers);
    const passwordList = [...passwords.keys()].map((name) => `${name}\n`).join("");
    const setupScript = renderSetupScript({ helperDir, passwordPrefix: `/run/roost/secrets/${passwordOutput("")}` });
    const { mysqld, ...otherSections } = cfg.settings;
    const confText = `# Written by Roost from services.mysql; read after Debian's 50-server.cnf.\n${ini.generate({
      ...otherSections,
      mysqld: { port: cfg.port, "bind-address": cfg.bind.join(","), ...mysqld },
    })}`;
    const setup = execLine(["/bin/sh", `${helperDir}/setup`]);

    const port = servicePort("mysql", {
      port: cfg.port,
      addresses: cfg.bind,
      option: ["services", "mysql", "port"],
      addressesOption: ["services", "mysql", "bind"],
      openFirewall: cfg.openFirewall,
      allowedSources: cfg.allowedSources,
    });
    return mkIf(cfg.enable, {
      networking: port.networking,
      packages: [cfg.package, "perl"],
      files: {
        [confPath]: { text: confText, mode: "0644" },
        [`${helperDir}/ensure.sql`]: { text: ensureSql, mode: "0644" },
        [`${helperDir}/passwords`]: { text: passwordList, mode: "0644" },
        [`${helperDir}/set-password`]: { text: setPasswordScript, mode: "0755" },
        [`${helperDir}/setup`]: { text: setupScript, mode: "0755" },
      },
      secrets: Object.fromEntries([...passwords].map(([name, ref]) => [passwordOutput(name), { secret: ref, mode: "0400" }])),
      systemd: {
        services: {
          // Debian's mariadb.service, without its Galera steps, as Roost's unit of the same name: it
          // restarts when the settings change. The package's postinst creates the system tables.
          mariadb: {
            description: "MariaDB database server",
            documentation: ["man:mariadbd(8)"],
            after: ["network.target"],
            wantedBy: ["multi-user.target"],
            serviceConfig: {
              Type: "notify",
              User: "mysql",
              Group: "mysql",
              ExecStart: ["/usr/sbin/mariadbd"],
              ExecStartPost: ["!/etc/mysql/debian-start"],
              RuntimeDirectory: ["mysqld"],
              RuntimeDirectoryMode: "0755",
              AmbientCapabilities: ["CAP_IPC_LOCK"],
              ProtectSystem: "full",
              ProtectHome: "yes",
              ProtectControlGroups: true,
              Restart: "on-abnormal",
              RestartSec: 5,
              UMask: "0007",
              TimeoutStartSec: 900,
              TimeoutStopSec: 900,
              LimitNOFILE: 32768,
              extraConfig: { RuntimeDirectoryPreserve: "yes", KillSignal: "SIGTERM", SendSIGKILL: "no" },
            },
            restartTriggers: [confText],
          },
          "mysql-setup": {
            description: "MariaDB databases, users and passwords (services.mysql.ensure*)",
            after: ["mariadb.service"],
            requires: ["mariadb.service"],
            wantedBy: ["multi-user.target"],
            secrets: [...passwords.keys()].map(passwordOutput),
            onSecretChange: "reload",
            serviceConfig: { Type: "oneshot", RemainAfterExit: true, ExecStart: [setup], ExecReload: [setup], TimeoutStartSec: 300 },
            reloadTriggers: [setupScript, ensureSql, passwordList, setPasswordScript],
          },
        },
      },
      healthChecks: { mysql: { type: "command", command: ["/usr/bin/mariadb-admin", "--protocol=socket", "ping"] } },
      assertions: [
        ...port.assertions,
        ...["port", "bind-address"].map((key) => ({
          assertion: !(key in (mysqld ?? {})),
          message: `services.mysql.settings.mysqld.${key}: set services.mysql.${key === "port" ? "port" : "bind"} instead`,
          options: [["services", "mysql", "settings", "mysqld", key]],
        })),
        ...conflicts.map((name) => ({
          assertion: false,
          message: `services.mysql.ensureUsers: user "${name}" is listed with two different passwordSecret values`,
          options: [["services", "mysql", "ensureUsers"]],
        })),
      ],
    });
  },
});

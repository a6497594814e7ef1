import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, defineModule, host, secret } from "roost";
import { buildHostFrom } from "roost/testing";
import { postgresql, postgresqlReadyUnit, requirePostgresql } from "./index.ts";

type PostgresqlConfig = Parameters<typeof configFor>[0];
function configFor(cfg: Record<string, unknown>) {
  return cfg;
}
const build = (cfg: PostgresqlConfig, extra: Record<string, unknown> = {}) =>
  buildHostFrom(
    defineFleet({
      hosts: {
        db: host({
          address: "root@10.0.0.1",
          modules: [postgresql],
          config: { services: { postgresql: { enable: true, ...cfg } }, ...extra } as never,
        }),
      },
    }),
    "db",
  );

const unit = "/etc/systemd/system/postgresql@15-main.service";
const setup = "/etc/systemd/system/postgresql-setup.service";
const hbaPath = "/etc/postgresql/15/main/pg_hba.conf";
const confPath = "/etc/postgresql/15/main/conf.d/roost.conf";

describe("services.postgresql", () => {
  it("adds nothing to a host until it is enabled", () => {
    const built = buildHostFrom(defineFleet({ hosts: { db: host({ address: "root@10.0.0.1", modules: [postgresql] }) } }), "db");
    assert.ok(!built.paths.includes(unit));
    assert.ok(!built.manifest.packages.includes("postgresql-15"));
  });

  it("runs Debian's cluster from its own unit, listening on loopback only, and declares its port", () => {
    const built = build({});
    assert.ok(built.manifest.packages.includes("postgresql-15"));
    const text = built.file(unit);
    assert.match(text, /^ExecStart=\/usr\/bin\/pg_ctlcluster --skip-systemctl-redirect 15-main start$/m);
    assert.match(text, /^ExecReload=\/usr\/bin\/pg_ctlcluster --skip-systemctl-redirect 15-main reload$/m);
    assert.match(text, /^PIDFile=\/run\/postgresql\/15-main\.pid$/m);
    assert.match(text, /^Type=forking$/m);
    assert.equal(built.file(confPath).split("\n").slice(1).join("\n"), "listen_addresses = '127.0.0.1'\nport = 5432\n");
    assert.deepEqual(built.config.networking.ports, {
      postgresql: { port: 5432, protocol: "tcp", address: "127.0.0.1", option: ["services", "postgresql", "port"] },
    });
    assert.deepEqual(built.config.networking.firewall.allowedTCPPorts, []);
    assert.doesNotMatch(built.file("/etc/roost/firewall.nft"), /5432/);
  });

  it("writes pg_hba.conf whole: postgres by peer first, then the declared rows, then peer locally and scram over TCP", () => {
    const built = build({
      authentication: [
        { type: "local", database: ["shop"], user: ["+admins"], method: "peer" },
        { type: "hostssl", database: ["shop"], user: ["shop"], address: "10.1.0.0/16", method: "scram-sha-256" },
        { type: "host", database: ["all"], user: ["all"], address: "10.9.9.9", method: "reject" },
      ],
    });
    assert.equal(
      built.file(hbaPath),
      [
        "# Written by Roost from services.postgresql.authentication; the first matching row wins.",
        "local all postgres peer",
        "local shop +admins peer",
        "hostssl shop shop 10.1.0.0/16 scram-sha-256",
        "host all all 10.9.9.9/32 reject",
        "local all all peer",
        "host all all 127.0.0.1/32 scram-sha-256",
        "host all all ::1/128 scram-sha-256",
        "",
      ].join("\n"),
    );
    assert.equal(built.manifest.files[hbaPath]!.mode, "0640");
  });

  it("has no way to write trust, and never renders it", () => {
    assert.throws(
      () => build({ authentication: [{ type: "local", database: ["all"], user: ["all"], method: "trust" }] }),
      /services\.postgresql\.authentication\[0\]\.method[\s\S]*"trust"[\s\S]*index\.test\.ts:\d+/,
    );
    const built = build({
      ensureDatabases: ["shop"],
      ensureUsers: [{ name: "shop", ensureDBOwnership: true, passwordSecret: secret("shop_db") }],
      settings: { log_connections: true },
    });
    for (const path of built.paths) assert.doesNotMatch(built.file(path), /trust/i, path);
  });

  it("refuses rows that PostgreSQL would reject, with the option and the line", () => {
    assert.throws(
      () => build({ authentication: [{ type: "host", address: "10.0.0.0/8", method: "peer" }] }),
      /services\.postgresql\.authentication\[0\][\s\S]*peer works on the unix socket only[\s\S]*index\.test\.ts:\d+/,
    );
    assert.throws(() => build({ authentication: [{ type: "host", method: "scram-sha-256" }] }), /a host row needs an address/);
    assert.throws(() => build({ authentication: [{ type: "local", address: "10.0.0.1", method: "peer" }] }), /a local row has no address/);
  });

  it("writes settings as the server reads them back, and refuses what postgresql.conf cannot hold", () => {
    const built = build({
      settings: {
        shared_buffers: "256MB",
        log_line_prefix: "%m [%p] it's \\ ",
        jit: false,
        work_mem: 4096,
        "auto_explain.log_min_duration": 250,
      },
    });
    assert.equal(
      built.file(confPath),
      [
        "# Written by Roost from services.postgresql.settings; read after postgresql.conf (include_dir = 'conf.d').",
        "auto_explain.log_min_duration = 250",
        "jit = off",
        "listen_addresses = '127.0.0.1'",
        "log_line_prefix = '%m [%p] it''s \\\\ '",
        "port = 5432",
        "shared_buffers = '256MB'",
        "work_mem = 4096",
        "",
      ].join("\n"),
    );
    assert.throws(
      () => build({ settings: { log_line_prefix: "a\nport = 1" } }),
      /services\.postgresql\.settings\.log_line_prefix[\s\S]*line break/,
    );
    assert.throws(() => build({ settings: { include_dir: "/tmp" } }), /include directives cannot be set here/);
    assert.throws(() => build({ settings: { "Bad Key": 1 } }), /services\.postgresql\.settings[\s\S]*parameter name/);
  });

  it("takes the port and the listen addresses from their own options, not from settings", () => {
    assert.throws(
      () => build({ settings: { port: 5434 } }),
      /set services\.postgresql\.port instead[\s\S]*settings\.port[\s\S]*index\.test\.ts:\d+/,
    );
    assert.throws(() => build({ settings: { listen_addresses: "*" } }), /set services\.postgresql\.listenAddresses instead/);
  });

  it("restarts the server for settings it reads only at start, reloads it for the others and for pg_hba.conf", () => {
    const hashes = (cfg: PostgresqlConfig) => {
      const u = build(cfg).manifest.units["postgresql@15-main.service"]!;
      return { restart: u.sha256, reload: u.reload };
    };
    const base = hashes({});
    const workMem = hashes({ settings: { work_mem: "8MB" } });
    assert.equal(workMem.restart, base.restart);
    assert.notEqual(workMem.reload, base.reload);
    const hba = hashes({ authentication: [{ type: "local", database: ["x"], user: ["x"], method: "reject" }] });
    assert.equal(hba.restart, base.restart);
    assert.notEqual(hba.reload, base.reload);
    assert.notEqual(hashes({ settings: { shared_buffers: "1GB" } }).restart, base.restart);
    assert.notEqual(hashes({ port: 5433 }).restart, base.restart);
  });

  it("creates databases and roles idempotently, and sets each password from its secret through the setup unit", () => {
    const built = build({
      ensureDatabases: ["shop", "shop"],
      ensureUsers: [
        { name: "shop", ensureDBOwnership: true, passwordSecret: secret("shop_db") },
        { name: "report-reader", ensureClauses: { createdb: false, login: true } },
      ],
    });
    assert.equal(
      built.file("/etc/roost/postgresql/ensure.sql"),
      [
        "-- Written by Roost from services.postgresql.ensureDatabases and ensureUsers; run by postgresql-setup.service.",
        `SELECT 'CREATE DATABASE "shop"' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'shop')\\gexec`,
        `SELECT 'CREATE ROLE "shop" LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shop')\\gexec`,
        `ALTER DATABASE "shop" OWNER TO "shop";`,
        `SELECT 'CREATE ROLE "report-reader" LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'report-reader')\\gexec`,
        `ALTER ROLE "report-reader" WITH NOCREATEDB LOGIN;`,
        "",
      ].join("\n"),
    );
    assert.deepEqual(built.config.secrets["postgresql-password-shop"], {
      ...built.config.secrets["postgresql-password-shop"],
      secret: { secret: "shop_db" },
      owner: "postgres",
      mode: "0400",
    });
    const unitText = built.file(setup);
    assert.match(unitText, /^After=.*postgresql@15-main\.service/m);
    assert.match(unitText, /^Requires=postgresql@15-main\.service$/m);
    assert.match(unitText, /^User=postgres$/m);
    assert.match(unitText, /^RemainAfterExit=yes$/m);
    assert.match(unitText, /^ExecReload=\/bin\/sh \/etc\/roost\/postgresql\/setup$/m);
    assert.equal(built.file("/etc/roost/postgresql/passwords"), "shop\n");
    const script = built.file("/etc/roost/postgresql/setup");
    assert.match(script, /pg_isready -q -h "\$socket" -p "\$port"/);
    assert.match(script, /set-password "\$role" "\/run\/roost\/secrets\/postgresql-password-\$role" "\$@"/);
    assert.equal(postgresqlReadyUnit, "postgresql-setup.service");
    assert.deepEqual(requirePostgresql(), { after: ["postgresql-setup.service"], requires: ["postgresql-setup.service"] });
  });

  it("runs the setup again as a reload when what it ensures or a password changes, so that its consumers keep running", () => {
    const setupUnit = (cfg: PostgresqlConfig) => build(cfg).manifest.units["postgresql-setup.service"]!;
    const shop = { name: "shop", passwordSecret: secret("shop_db") };
    const base = setupUnit({ ensureDatabases: ["shop"], ensureUsers: [shop] });
    const more = setupUnit({ ensureDatabases: ["shop", "blog"], ensureUsers: [shop, { name: "blog", passwordSecret: secret("blog_db") }] });
    assert.equal(more.sha256, base.sha256);
    assert.notEqual(more.reload, base.reload);
    assert.match(build({ ensureUsers: [{ name: "blog", passwordSecret: secret("blog_db") }] }).file(setup), /^ExecReload=/m);
  });

  it("merges a role that two modules list, and refuses two different passwords for it", () => {
    const app = defineModule({
      imports: [postgresql],
      config: { services: { postgresql: { ensureDatabases: ["shop"], ensureUsers: [{ name: "shop", ensureDBOwnership: true }] } } },
    });
    const fleet = (password: string) =>
      defineFleet({
        hosts: {
          db: host({
            address: "root@10.0.0.1",
            modules: [postgresql, app],
            config: { services: { postgresql: { enable: true, ensureUsers: [{ name: "shop", passwordSecret: secret(password) }] } } },
          }),
        },
      });
    const sql = buildHostFrom(fleet("shop_db"), "db").file("/etc/roost/postgresql/ensure.sql");
    assert.equal(sql.match(/CREATE ROLE "shop"/g)!.length, 1);
    assert.match(sql, /OWNER TO "shop"/);
    const twice = defineModule({
      imports: [postgresql],
      config: { services: { postgresql: { ensureUsers: [{ name: "shop", passwordSecret: secret("other") }] } } },
    });
    assert.throws(
      () =>
        buildHostFrom(
          defineFleet({
            hosts: {
              db: host({ address: "root@10.0.0.1", modules: [postgresql, app, twice], config: fleet("shop_db").hosts.db!.config as never }),
            },
          }),
          "db",
        ),
      /role "shop" is listed with two different passwordSecret values/,
    );
  });

  it("refuses ownership of a database it does not create, and names the line", () => {
    assert.throws(
      () => build({ ensureUsers: [{ name: "shop", ensureDBOwnership: true }] }),
      /ensureUsers\[0\]\.ensureDBOwnership: there is no database "shop"[\s\S]*index\.test\.ts:\d+/,
    );
    assert.throws(() => build({ ensureDatabases: ["pg_x"] }), /services\.postgresql\.ensureDatabases\[0\][\s\S]*reserved/);
    assert.throws(() => build({ ensureUsers: [{ name: 'a"b' }] }), /services\.postgresql\.ensureUsers\[0\]\.name/);
  });

  it("opens the port and accepts password logins from other hosts only when it listens beyond loopback", () => {
    const built = build({ listenAddresses: ["0.0.0.0"], allowedSources: ["10.0.0.0/24"] });
    assert.match(built.file("/etc/roost/firewall.nft"), /ip saddr \{ 10\.0\.0\.0\/24 \} tcp dport 5432 accept/);
    assert.match(built.file(hbaPath), /^host all all 10\.0\.0\.0\/24 scram-sha-256$/m);
    assert.match(built.file(confPath), /^listen_addresses = '0\.0\.0\.0'$/m);
    const open = build({ listenAddresses: ["127.0.0.1", "10.0.0.1"], openFirewall: true });
    assert.match(open.file("/etc/roost/firewall.nft"), /tcp dport \{ 22, 5432 \} accept/);
    assert.match(open.file(hbaPath), /^host all all 0\.0\.0\.0\/0 scram-sha-256$/m);
    assert.deepEqual(Object.keys(open.config.networking.ports), ["postgresql-0", "postgresql-1"]);
    assert.throws(
      () => build({ openFirewall: true }),
      /listenAddresses has only loopback addresses[\s\S]*openFirewall[\s\S]*index\.test\.ts:\d+/,
    );
  });

  it("reads allowedSources only where it is needed, so an app host and its database host can read each other", () => {
    const fleet = defineFleet({
      modules: [postgresql],
      hosts: {
        db: host({
          address: "root@10.0.0.1",
          modules: [postgresql],
          config: ({ nodes }) => ({
            services: {
              postgresql: {
                enable: true,
                listenAddresses: ["0.0.0.0"],
                get allowedSources() {
                  return [nodes.app!.config.networking.addresses[0]!];
                },
              },
            },
          }),
        }),
        app: host({
          address: "root@10.0.0.2",
          config: ({ nodes }) => ({
            files: {
              "/etc/app/database-url": {
                get text() {
                  return `postgresql://${nodes.db!.config.networking.addresses[0]}:${nodes.db!.config.services.postgresql.port}/shop\n`;
                },
              },
            },
          }),
        }),
      },
    });
    assert.match(buildHostFrom(fleet, "db").file(hbaPath), /^host all all 10\.0\.0\.2\/32 scram-sha-256$/m);
    assert.equal(buildHostFrom(fleet, "app").file("/etc/app/database-url"), "postgresql://10.0.0.1:5432/shop\n");
  });

  it("a second service on its port is an error naming both", () => {
    assert.throws(
      () => build({}, { networking: { ports: { other: { port: 5432, option: ["services", "other", "port"] } } } }),
      /other \(services\.other\.port\) and postgresql \(services\.postgresql\.port\) both listen on tcp port 5432/,
    );
  });
});

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { defineFleet, host, secret } from "roost";
import { buildHostFrom } from "roost/testing";
import { apps } from "./index.ts";

type AppsDefinition = Record<string, Record<string, unknown>>;

function build(
  shop: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  more: AppsDefinition = {},
  top: Record<string, unknown> = {},
) {
  const fleet = defineFleet({
    hosts: {
      a: host({
        address: "root@10.0.0.1",
        modules: [apps],
        config: { services: { apps: { shop, ...more }, ...extra }, ...top } as never,
      }),
    },
  });
  return buildHostFrom(fleet, "a");
}

const wsgiShop = {
  wsgi: { module: "shop.wsgi:application", workers: 3 },
  port: 8000,
  settings: { allowedHosts: ["shop.example.org"], labels: { prefix: "W12-" } },
  secrets: { SECRET_KEY: secret("shop_secret_key") },
  preStart: [
    ["python3", "manage.py", "migrate", "--noinput"],
    ["python3", "manage.py", "collectstatic", "--noinput"],
  ],
  healthPath: "/healthz",
};

const line = (text: string, key: string) => text.split("\n").filter((l) => l.startsWith(`${key}=`));

describe("services.apps", () => {
  it("runs a WSGI app under gunicorn as its own system user, in a hardened unit", () => {
    const built = build(wsgiShop);
    const unit = built.file("/etc/systemd/system/shop.service");
    assert.deepEqual(line(unit, "ExecStart"), [
      "ExecStart=/usr/bin/gunicorn --bind=127.0.0.1:8000 --workers=3 --threads=1 --timeout=30 --access-logfile=- shop.wsgi:application",
    ]);
    assert.match(unit, /^User=shop$/m);
    assert.match(unit, /^Group=shop$/m);
    assert.match(unit, /^WorkingDirectory=\/var\/lib\/shop$/m);
    assert.match(unit, /^ProtectSystem=strict$/m);
    assert.match(unit, /^NoNewPrivileges=yes$/m);
    assert.match(unit, /^PrivateTmp=yes$/m);
    assert.match(unit, /^ProtectHome=yes$/m);
    assert.match(unit, /^ReadWritePaths=\/var\/lib\/shop$/m);
    assert.match(unit, /^Environment="APP_SETTINGS=\/etc\/shop\/settings.json"$/m);
    assert.match(unit, /^EnvironmentFile=\/run\/roost\/secrets\/app-shop$/m);
    assert.ok(built.manifest.packages.includes("gunicorn"));
    assert.deepEqual(built.config.users.users.shop!.isSystemUser, true);
    assert.equal(built.manifest.directories["/var/lib/shop"]!.owner, "shop");
    assert.deepEqual(built.config.networking.ports.shop, {
      port: 8000,
      protocol: "tcp",
      address: "127.0.0.1",
      option: ["services", "apps", "shop", "port"],
    });
    assert.equal((built.manifest.healthChecks["app-shop"] as { url?: string }).url, "http://127.0.0.1:8000/healthz");
    assert.deepEqual(JSON.parse(built.file("/etc/shop/settings.json")), wsgiShop.settings);
  });

  it("runs preStart steps in a setup unit started before every start and every reload, which reloads gunicorn with HUP", () => {
    const built = build(wsgiShop);
    const unit = built.file("/etc/systemd/system/shop.service");
    assert.deepEqual(line(unit, "ExecStartPre"), ["ExecStartPre=+/bin/systemctl start shop-setup.service"]);
    assert.deepEqual(line(unit, "ExecReload"), [
      "ExecReload=+/bin/systemctl start shop-setup.service",
      "ExecReload=+/bin/systemctl kill --kill-who=main --signal=HUP shop.service",
    ]);
    const setup = built.file("/etc/systemd/system/shop-setup.service");
    assert.deepEqual(line(setup, "ExecStart"), [
      "ExecStart=python3 manage.py migrate --noinput",
      "ExecStart=python3 manage.py collectstatic --noinput",
    ]);
    assert.match(setup, /^Type=oneshot$/m);
    assert.match(setup, /^User=shop$/m);
    assert.match(setup, /^EnvironmentFile=\/run\/roost\/secrets\/app-shop$/m);
    assert.doesNotMatch(setup, /WantedBy/);
    assert.equal(built.manifest.units["shop-setup.service"]!.restartIfChanged, false);
  });

  it("reloads, not restarts, for a settings change; restarts for a port or worker change", () => {
    const before = build(wsgiShop).manifest.units["shop.service"]!;
    const settings = build({ ...wsgiShop, settings: { ...wsgiShop.settings, labels: { prefix: "X-" } } }).manifest.units["shop.service"]!;
    assert.equal(settings.sha256, before.sha256);
    assert.notEqual(settings.reload, before.reload);
    const port = build({ ...wsgiShop, port: 8001 }).manifest.units["shop.service"]!;
    assert.notEqual(port.sha256, before.sha256);
    const workers = build({ ...wsgiShop, wsgi: { ...wsgiShop.wsgi, workers: 5 } }).manifest.units["shop.service"]!;
    assert.notEqual(workers.sha256, before.sha256);
  });

  it("ships code from a directory beside the fleet, and a change of a file reloads the app", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "app-code-"));
    mkdirSync(path.join(dir, "shop", "__pycache__"), { recursive: true });
    writeFileSync(path.join(dir, "manage.py"), "print('manage')\n");
    writeFileSync(path.join(dir, "shop", "views.py"), "A = 1\n");
    writeFileSync(path.join(dir, "shop", "__pycache__", "views.cpython-311.pyc"), "junk");
    writeFileSync(path.join(dir, ".env"), "junk");
    const first = build({ ...wsgiShop, code: { source: dir } });
    assert.equal(first.file("/opt/shop/shop/views.py"), "A = 1\n");
    assert.equal(first.file("/opt/shop/manage.py"), "print('manage')\n");
    assert.ok(!first.paths.some((p) => p.includes("__pycache__") || p.endsWith(".env")));
    assert.match(first.file("/etc/systemd/system/shop.service"), /^Environment="PYTHONPATH=\/opt\/shop"$/m);
    writeFileSync(path.join(dir, "shop", "views.py"), "A = 2\n");
    const second = build({ ...wsgiShop, code: { source: dir } }).manifest.units["shop.service"]!;
    assert.equal(second.sha256, first.manifest.units["shop.service"]!.sha256);
    assert.notEqual(second.reload, first.manifest.units["shop.service"]!.reload);
  });

  it("restarts a plain command app on a settings change (it has no graceful reload)", () => {
    const cmd = { command: ["/usr/bin/node", "server.js"], port: 3000, settings: { a: 1 } };
    const before = build(cmd).manifest.units["shop.service"]!;
    const after = build({ ...cmd, settings: { a: 2 } }).manifest.units["shop.service"]!;
    assert.notEqual(after.sha256, before.sha256);
    assert.equal(after.reload, null);
    assert.match(build(cmd).file("/etc/systemd/system/shop.service"), /^Environment="PORT=3000"$/m);
  });

  it("renders settings in the chosen format, and refuses what the format cannot hold, naming the option", () => {
    const ini = build({ command: ["/bin/true"], settingsFormat: "ini", settings: { server: { port: 1 } } });
    assert.equal(ini.file("/etc/shop/settings.ini"), "[server]\nport = 1\n");
    assert.throws(
      () => build({ command: ["/bin/true"], settingsFormat: "keyValue", settings: { nested: { no: 1 } } }),
      /services\.apps\.shop\.settings cannot be written as keyValue/,
    );
  });

  it("runs timers as the app's user with its environment, and limits resources", () => {
    const built = build({
      ...wsgiShop,
      timers: { cleanup: { command: ["python3", "manage.py", "clearsessions"] } },
      memoryMax: "512M",
      cpuQuota: "50%",
      tasksMax: 64,
    });
    const job = built.file("/etc/systemd/system/shop-cleanup.service");
    assert.match(job, /^ExecStart=python3 manage.py clearsessions$/m);
    assert.match(job, /^User=shop$/m);
    assert.match(job, /^ProtectSystem=strict$/m);
    assert.match(built.file("/etc/systemd/system/shop-cleanup.timer"), /^OnCalendar=\*-\*-\* 00\/6:00:00$/m);
    const unit = built.file("/etc/systemd/system/shop.service");
    assert.match(unit, /^MemoryMax=536870912$/m);
    assert.match(unit, /^CPUQuota=50%$/m);
    assert.match(unit, /^TasksMax=64$/m);
  });

  it("registers its metrics path as a scrape target and keeps its data directories writable", () => {
    const built = build({ ...wsgiShop, metricsPath: "/metrics", dataDirectories: ["/srv/shop/media"] });
    assert.deepEqual(built.config.monitoring.scrapeTargets.shop, { port: 8000, path: "/metrics", scheme: "http", labels: {} });
    assert.match(built.file("/etc/systemd/system/shop.service"), /^ReadWritePaths=\/var\/lib\/shop$\nReadWritePaths=\/srv\/shop\/media$/m);
    assert.equal(built.manifest.directories["/srv/shop/media"]!.owner, "shop");
  });

  it("refuses two apps on one port, naming both", () => {
    assert.throws(
      () => build({ ...wsgiShop }, {}, { blog: { command: ["/bin/true"], port: 8000 } }),
      /blog \(services\.apps\.blog\.port\) and shop \(services\.apps\.shop\.port\) both listen on tcp port 8000/,
    );
  });

  it("refuses an app with both a command and wsgi, or neither", () => {
    assert.throws(() => build({ port: 1 }), /set exactly one of command and wsgi/);
  });

  it("serves the app through nginx with an ACME certificate, HTTP redirected, static files by nginx itself", () => {
    const built = build(
      {
        ...wsgiShop,
        virtualHost: { domain: "shop.example.org", clientMaxBodySize: "20m", staticFiles: { directory: "/var/lib/shop/static" } },
      },
      {},
      {},
      { security: { acme: { acceptTerms: true, defaults: { email: "ops@example.org" } } } },
    );
    const vhost = built.config.services.nginx.virtualHosts["shop.example.org"];
    assert.equal(vhost.forceSSL, true);
    assert.equal(vhost.enableACME, true);
    assert.equal(vhost.locations["/"].proxyPass, "http://127.0.0.1:8000");
    assert.equal(vhost.locations["/static/"].alias, "/var/lib/shop/static/");
    const conf = built.file("/etc/nginx/roost.conf");
    assert.match(conf, /proxy_pass http:\/\/127\.0\.0\.1:8000;/);
    assert.match(conf, /alias \/var\/lib\/shop\/static\/;/);
    assert.match(conf, /client_max_body_size 20m;/);
    assert.ok(built.config.security.acme.certs["shop.example.org"]);
    // nginx passes through the working directory to the static files, which the setup steps leave readable.
    assert.equal(built.manifest.directories["/var/lib/shop"]!.mode, "0711");
    assert.match(built.file("/etc/systemd/system/shop-setup.service"), /^ExecStart=\/bin\/chmod -R u=rwX,go=rX \/var\/lib\/shop\/static$/m);
  });

  it("creates its PostgreSQL role and database, and starts after the server is ready", () => {
    const built = build({ ...wsgiShop, database: { type: "postgresql" } }, { postgresql: { enable: true } });
    assert.deepEqual(built.config.services.postgresql.ensureDatabases, ["shop"]);
    assert.equal(built.config.services.postgresql.ensureUsers[0].name, "shop");
    assert.equal(built.config.services.postgresql.ensureUsers[0].ensureDBOwnership, true);
    for (const unit of ["shop.service", "shop-setup.service"]) {
      const text = built.file(`/etc/systemd/system/${unit}`);
      assert.match(text, /^After=.*postgresql-setup\.service/m, unit);
      assert.match(text, /^Requires=postgresql-setup\.service$/m, unit);
    }
    assert.match(built.file("/etc/systemd/system/shop.service"), /^Environment="PGDATABASE=shop"$/m);
  });

  it("refuses a database whose module is not enabled, pointing at the line that chose it", () => {
    assert.throws(
      () => build({ ...wsgiShop, database: { type: "postgresql" } }),
      (e: Error) =>
        /services\.postgresql is not enabled/.test(e.message) &&
        /services\.apps\.shop\.database\.type[^\n]*\n?[^\n]*index\.test\.ts:\d+/.test(e.message),
    );
  });

  it("gives a Redis app a server of its own, reached on its unix socket as a member of the redis group", () => {
    const built = build({ ...wsgiShop, database: { type: "redis" } });
    assert.equal(built.config.services.redis.servers.shop.enable, true);
    const unit = built.file("/etc/systemd/system/shop.service");
    assert.match(unit, /^SupplementaryGroups=redis$/m);
    assert.match(unit, /^Requires=redis-shop\.service$/m);
    assert.match(unit, /^Environment="REDIS_URL=unix:\/\/\/run\/redis-shop\/redis\.sock"$/m);
  });

  it("registers its SQLite file as a database of the host, in its working directory", () => {
    const built = build({ ...wsgiShop, database: { type: "sqlite" } });
    assert.deepEqual(built.config.services.sqlite.databases.shop, {
      path: "/var/lib/shop/database.sqlite",
      owner: "shop",
      group: "shop",
      mode: "0750",
    });
    assert.match(built.file("/etc/systemd/system/shop.service"), /^Environment="DATABASE_PATH=\/var\/lib\/shop\/database\.sqlite"$/m);
    assert.ok(built.manifest.packages.includes("sqlite3"));
  });

  it("creates its MariaDB database and user when services.mysql is enabled, and refuses it otherwise", () => {
    const built = build({ ...wsgiShop, database: { type: "mysql" } }, { mysql: { enable: true } });
    assert.deepEqual(built.config.services.mysql.ensureDatabases, ["shop"]);
    assert.deepEqual(built.config.services.mysql.ensureUsers[0].ensurePermissions, { "shop.*": "ALL PRIVILEGES" });
    assert.match(built.file("/etc/systemd/system/shop.service"), /^Requires=mysql-setup\.service$/m);
    assert.throws(() => build({ ...wsgiShop, database: { type: "mysql" } }), /services\.mysql is not enabled/);
  });

  it("serves plain HTTP when the virtual host has no ACME certificate", () => {
    const built = build({ ...wsgiShop, virtualHost: { domain: "shop.example.org", enableACME: false } });
    const vhost = built.config.services.nginx.virtualHosts["shop.example.org"];
    assert.equal(vhost.forceSSL, false);
    assert.equal(vhost.enableACME, false);
    assert.doesNotMatch(built.file("/etc/nginx/roost.conf"), /listen [^;]*443/);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host, secret } from "roost";
import { buildHostFrom } from "roost/testing";
import { mysql, mysqlReadyUnit, requireMysql } from "./index.ts";

const build = (cfg: Record<string, unknown>) =>
  buildHostFrom(
    defineFleet({
      hosts: {
        db: host({ address: "root@10.0.0.1", modules: [mysql], config: { services: { mysql: { enable: true, ...cfg } } } as never }),
      },
    }),
    "db",
  );
const conf = "/etc/mysql/mariadb.conf.d/99-roost.cnf";

describe("services.mysql", () => {
  it("adds nothing to a host until it is enabled", () => {
    const built = buildHostFrom(defineFleet({ hosts: { db: host({ address: "root@10.0.0.1", modules: [mysql] }) } }), "db");
    assert.ok(!built.paths.includes("/etc/systemd/system/mariadb.service"));
  });

  it("runs Debian's MariaDB from Roost's mariadb.service on 127.0.0.1:3306, restarted when its settings change", () => {
    const built = build({ settings: { mysqld: { innodb_buffer_pool_size: "64M" } } });
    assert.ok(built.manifest.packages.includes("mariadb-server"));
    const unit = built.file("/etc/systemd/system/mariadb.service");
    assert.match(unit, /^ExecStart=\/usr\/sbin\/mariadbd$/m);
    assert.match(unit, /^ExecStartPost=!\/etc\/mysql\/debian-start$/m);
    assert.match(unit, /^Type=notify$/m);
    assert.match(unit, /^User=mysql$/m);
    assert.equal(
      built.file(conf),
      "# Written by Roost from services.mysql; read after Debian's 50-server.cnf.\n[mysqld]\nport = 3306\nbind-address = 127.0.0.1\ninnodb_buffer_pool_size = 64M\n",
    );
    assert.deepEqual(built.config.networking.ports, {
      mysql: { port: 3306, protocol: "tcp", address: "127.0.0.1", option: ["services", "mysql", "port"] },
    });
    const hash = (cfg: Record<string, unknown>) => build(cfg).manifest.units["mariadb.service"]!.sha256;
    assert.notEqual(hash({ settings: { mysqld: { innodb_buffer_pool_size: "128M" } } }), hash({}));
  });

  it("creates databases and users idempotently, grants what is listed, and sets passwords through the setup unit", () => {
    const built = build({
      ensureDatabases: ["shop"],
      ensureUsers: [
        { name: "shop", ensurePermissions: { "shop.*": "ALL PRIVILEGES", "*.*": "PROCESS" } },
        { name: "report", ensurePermissions: { "shop.orders": "SELECT, INSERT" }, passwordSecret: secret("report_db") },
      ],
    });
    assert.equal(
      built.file("/etc/roost/mysql/ensure.sql"),
      [
        "-- Written by Roost from services.mysql.ensureDatabases and ensureUsers; run by mysql-setup.service.",
        "CREATE DATABASE IF NOT EXISTS `shop`;",
        "CREATE USER IF NOT EXISTS 'shop'@'localhost' IDENTIFIED VIA unix_socket;",
        "GRANT PROCESS ON *.* TO 'shop'@'localhost';",
        "GRANT ALL PRIVILEGES ON `shop`.* TO 'shop'@'localhost';",
        "CREATE USER IF NOT EXISTS 'report'@'localhost' IDENTIFIED VIA unix_socket;",
        "GRANT SELECT, INSERT ON `shop`.`orders` TO 'report'@'localhost';",
        "",
      ].join("\n"),
    );
    assert.equal(built.file("/etc/roost/mysql/passwords"), "report\n");
    assert.deepEqual(built.config.secrets["mysql-password-report"]!.secret, { secret: "report_db" });
    const unit = built.file("/etc/systemd/system/mysql-setup.service");
    assert.match(unit, /^Requires=mariadb\.service$/m);
    assert.match(unit, /^ExecReload=\/bin\/sh \/etc\/roost\/mysql\/setup$/m);
    assert.match(built.file("/etc/roost/mysql/setup"), /set-password "\$user" "\/run\/roost\/secrets\/mysql-password-\$user" "\$@"/);
    assert.match(built.file("/etc/roost/mysql/set-password"), /IDENTIFIED VIA unix_socket OR mysql_native_password USING '\$hash'/);
    assert.equal(mysqlReadyUnit, "mysql-setup.service");
    assert.deepEqual(requireMysql(), { after: ["mysql-setup.service"], requires: ["mysql-setup.service"] });
  });

  it("refuses names, grants and privileges that would not reach the server as written, with the line", () => {
    assert.throws(
      () => build({ ensureDatabases: ["shop`; DROP"] }),
      /services\.mysql\.ensureDatabases\[0\][\s\S]*MariaDB name[\s\S]*index\.test\.ts:\d+/,
    );
    assert.throws(() => build({ ensureUsers: [{ name: "x", ensurePermissions: { shop: "ALL" } }] }), /database\.table/);
    assert.throws(() => build({ ensureUsers: [{ name: "x", ensurePermissions: { "shop.*": "ALL; DROP" } }] }), /privileges such as/);
    assert.throws(() => build({ settings: { mysqld: { port: 3307 } } }), /set services\.mysql\.port instead[\s\S]*index\.test\.ts:\d+/);
    assert.throws(
      () =>
        build({
          ensureUsers: [
            { name: "x", passwordSecret: secret("a") },
            { name: "x", passwordSecret: secret("b") },
          ],
        }),
      /user "x" is listed with two different passwordSecret values/,
    );
    assert.throws(() => build({ allowedSources: ["10.0.0.0/8"] }), /bind has only loopback addresses/);
  });

  it("opens the port to allowed sources when it binds beyond loopback", () => {
    const built = build({ bind: ["0.0.0.0"], allowedSources: ["10.0.0.0/24"] });
    assert.match(built.file("/etc/roost/firewall.nft"), /ip saddr \{ 10\.0\.0\.0\/24 \} tcp dport 3306 accept/);
    assert.match(built.file(conf), /^bind-address = 0\.0\.0\.0$/m);
  });
});

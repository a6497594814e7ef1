import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { defineFleet, host } from "roost";
import { buildHostFrom } from "roost/testing";
import { sqlite, sqliteBackupCommand } from "./index.ts";

const build = (databases: Record<string, unknown>) =>
  buildHostFrom(
    defineFleet({
      hosts: { a: host({ address: "root@10.0.0.1", modules: [sqlite], config: { services: { sqlite: { databases } } } as never }) },
    }),
    "a",
  );

describe("services.sqlite", () => {
  it("adds nothing until a database is declared", () => {
    assert.ok(!build({}).manifest.packages.includes("sqlite3"));
  });

  it("creates the database's directory, owned by its user, and installs sqlite3", () => {
    const built = build({
      tracker: { path: "/var/lib/request-tracker-utils/database.sqlite", owner: "rtutils" },
      shop: { owner: "shop", group: "www-data", mode: "0770" },
    });
    assert.ok(built.manifest.packages.includes("sqlite3"));
    assert.deepEqual(built.manifest.directories["/var/lib/request-tracker-utils"], {
      ...built.manifest.directories["/var/lib/request-tracker-utils"],
      owner: "rtutils",
      group: "rtutils",
      mode: "0750",
    });
    assert.equal(built.config.services.sqlite.databases.shop.path, "/var/lib/shop/shop.sqlite3");
    assert.deepEqual(built.manifest.directories["/var/lib/shop"], {
      ...built.manifest.directories["/var/lib/shop"],
      owner: "shop",
      group: "www-data",
      mode: "0770",
    });
  });

  it("refuses two databases in one file, and one without a directory of its own, with the lines", () => {
    assert.throws(
      () => build({ a: { path: "/srv/x/db", owner: "a" }, b: { path: "/srv/x/db", owner: "a" } }),
      /a and b are the same file \/srv\/x\/db[\s\S]*services\.sqlite\.databases\.a\.path[\s\S]*index\.test\.ts:\d+/,
    );
    assert.throws(() => build({ a: { path: "/db", owner: "a" } }), /needs a directory of its own/);
    assert.throws(() => build({ a: { path: "relative.db", owner: "a" } }), /services\.sqlite\.databases\.a\.path/);
    assert.throws(() => build({ a: { owner: "Bad User" } }), /services\.sqlite\.databases\.a\.owner/);
  });

  it("backs a live database up with SQLite's own .backup, whatever the destination's name", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "roost-sqlite-"));
    try {
      const db = path.join(dir, "db.sqlite3");
      const dest = path.join(dir, `it's a "copy" \\ .sqlite3`);
      const cmd = sqliteBackupCommand({ path: db, owner: "root", group: "root", mode: "0750" }, dest);
      assert.deepEqual(cmd.slice(0, 5), ["/usr/sbin/runuser", "-u", "root", "--", "/usr/bin/sqlite3"]);
      assert.equal(spawnSync("/usr/bin/sqlite3", [db, "CREATE TABLE t (v); INSERT INTO t VALUES ('kept');"]).status, 0);
      assert.equal(spawnSync(cmd[4]!, cmd.slice(5)).status, 0);
      assert.equal(spawnSync("/usr/bin/sqlite3", [dest, "SELECT v FROM t"], { encoding: "utf8" }).stdout, "kept\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

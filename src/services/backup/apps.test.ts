import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host, secret } from "roost";
import { buildHostFrom } from "roost/testing";
import { backupApps } from "./index.ts";

const shop = {
  command: ["/usr/bin/python3", "-m", "http.server", "8000"],
  port: 8000,
  dataDirectories: ["/srv/shop/media"],
  database: { type: "postgresql" },
};
const wiki = { command: ["/usr/bin/python3", "-m", "http.server", "8001"], port: 8001, database: { type: "sqlite" } };

function build(config: Record<string, unknown>) {
  const fleet = defineFleet({ hosts: { a: host({ address: "root@10.0.0.1", modules: [backupApps], config: config as never }) } });
  return buildHostFrom(fleet, "a");
}

describe("services.apps.<name>.backup", () => {
  it("backs up every app of a host with backups: its directories and its database, each in a job of its own", () => {
    const built = build({
      services: {
        postgresql: { enable: true },
        apps: { shop, wiki: { ...wiki, backup: { exclude: ["*.log"] } } },
        backup: { enable: true, repositories: { local: { url: "/srv/restic", passwordSecret: secret("backup_password") } } },
      },
    });
    const job = (name: string) => JSON.parse(built.file(`/etc/roost/backup/jobs/${name}.json`));
    assert.deepEqual(job("shop").paths, ["/var/lib/shop", "/srv/shop/media"]);
    assert.deepEqual(
      job("shop").databases.map((d: { type: string; name: string }) => `${d.type} ${d.name}`),
      ["postgresql shop"],
    );
    const w = job("wiki");
    assert.deepEqual(w.exclude, ["*.log"]);
    assert.deepEqual(
      { type: w.databases[0].type, path: w.databases[0].path, owner: w.databases[0].owner },
      { type: "sqlite", path: "/var/lib/wiki/database.sqlite", owner: "wiki" },
    );
    assert.ok(built.paths.includes("/etc/systemd/system/roost-backup-shop.timer"));
  });

  it("leaves apps alone on a host without backups, and an app that opts out", () => {
    assert.deepEqual(build({ services: { apps: { shop: { ...shop, database: null } } } }).config.services.backup.sources, {});
    const built = build({
      services: {
        postgresql: { enable: true },
        apps: { shop: { ...shop, backup: { enable: false } }, wiki },
        backup: { enable: true, repositories: { local: { url: "/srv/restic", passwordSecret: secret("backup_password") } } },
      },
    });
    assert.deepEqual(Object.keys(built.config.services.backup.sources), ["wiki"]);
  });
});

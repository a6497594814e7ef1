import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host, secret } from "roost";
import { backup } from "roost/services/backup";
import { mysql } from "roost/services/mysql";
import { postgresql } from "roost/services/postgresql";
import { runScenario, scenario, type TestHost } from "roost/testing";
import { backupOnHost, type BackupQuery, type Snapshot } from "../../src/deploy/backup.ts";

const password = "correct-horse-battery-staple-e2e";

// The notes app writes a pair of rows in one transaction, as fast as it can: a consistent copy has
// as many rows in a as in b, whenever it was taken.
const notesWriter = [
  "db=/var/lib/notes/notes.db",
  'sqlite3 "$db" "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS a(n INTEGER); CREATE TABLE IF NOT EXISTS b(n INTEGER);" >/dev/null',
  "i=0",
  "while :; do",
  "  i=$((i + 1))",
  '  sqlite3 -cmd ".timeout 5000" "$db" "BEGIN; INSERT INTO a VALUES($i); INSERT INTO b VALUES(zeroblob(2000)); COMMIT;" || true',
  "done",
].join("\n");

const fleet = defineFleet({
  modules: [backup],
  hosts: {
    app: host({
      address: "root@app",
      modules: [backup, postgresql, mysql],
      config: {
        packages: ["sqlite3"],
        directories: { "/var/lib/notes": { mode: "0755" }, "/srv/files": { mode: "0755" } },
        systemd: { services: { "notes-writer": { script: notesWriter } } },
        services: {
          postgresql: { enable: true, ensureDatabases: ["shop"] },
          mysql: { enable: true, ensureDatabases: ["shop"] },
          backup: {
            enable: true,
            repositories: {
              vault: { sftp: { host: "vault" }, passwordSecret: secret("backup_password"), checkSchedule: null },
              local: { url: "/var/backups/restic", passwordSecret: secret("backup_password") },
            },
            jobs: {
              site: {
                repository: "vault",
                paths: ["/srv/files"],
                exclude: ["*.tmp"],
                databases: [
                  { type: "postgresql", name: "shop" },
                  { type: "mysql", name: "shop" },
                  { type: "sqlite", path: "/var/lib/notes/notes.db" },
                ],
              },
              etc: {
                repository: "local",
                paths: ["/etc/roost"],
                retention: { keepLast: 3, keepDaily: null, keepWeekly: null, keepMonthly: null },
              },
            },
          },
        },
      },
    }),
    vault: host({ address: "root@vault", modules: [backup] }),
  },
});

const psql = (sql: string) => `cd /tmp && runuser -u postgres -- psql -X -q -t -A -v ON_ERROR_STOP=1 -d shop -c "${sql}"`;
const mariadb = (sql: string) => `mariadb --batch --skip-column-names -e "${sql}"`;
const metric = (text: string, name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, "m").exec(text)?.[1]);

describe("backups with restic on real hosts", { timeout: 600_000 }, () => {
  it("backs up files, PostgreSQL, MariaDB and a live SQLite app to another host, restores them, keeps what retention says, checks, fails visibly, and never shows the password", async () => {
    await runScenario(
      scenario({
        fleet,
        secrets: { backup_password: password },
        async test({ hosts, deploy, ssh, onLab }) {
          const app = hosts.app!;
          const vault = hosts.vault!;
          const appHost = onLab(fleet).hosts.app!;
          const onApp = (query: BackupQuery) => backupOnHost("app", appHost, ssh, query);
          const list = async (job: string) => {
            const r = await onApp({ action: "list", job, snapshot: null, target: null });
            assert.equal(r.code, 0, r.stderr);
            return r.lines.flatMap((l) => (l.kind === "snapshot" ? [l.snapshot] : []));
          };
          await deploy();
          await app.waitForUnit("postgresql-setup.service", 60_000);
          await app.waitForUnit("mysql-setup.service", 60_000);
          await app.waitForUnit("notes-writer.service");

          // Data: files (one excluded), rows, and the notes app writing all along.
          await app.succeed(
            "head -c 3000000 /dev/urandom > /srv/files/blob.bin && echo 'hello' > /srv/files/note.txt && mkdir -p /srv/files/sub && echo skipped > /srv/files/sub/x.tmp",
          );
          const filesSum = await app.succeed("cd /srv/files && sha256sum blob.bin note.txt");
          await app.succeed(
            psql(
              "CREATE TABLE items(id int PRIMARY KEY, name text); INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 5000) g;",
            ),
          );
          const rows = await app.succeed(psql("SELECT count(*), md5(string_agg(name, ',' ORDER BY id)) FROM items"));
          await app.succeed(
            mariadb(
              "CREATE TABLE shop.orders(id int PRIMARY KEY, v text); INSERT INTO shop.orders SELECT seq, md5(seq) FROM shop.seq_1_to_3000;",
            ),
          );
          const orders = await app.succeed(
            mariadb(
              "SET SESSION group_concat_max_len = 10000000; SELECT count(*), md5(group_concat(v ORDER BY id SEPARATOR ',')) FROM shop.orders",
            ),
          );
          await app.waitUntilSucceeds("test \"$(sqlite3 /var/lib/notes/notes.db 'SELECT count(*) FROM a')\" -gt 200");

          // A run, with the process list sampled while it runs.
          const samples: string[] = [];
          let running = true;
          const sampler = (async () => {
            while (running) {
              samples.push(await app.succeed("ps -eww -o args"));
              await new Promise((r) => setTimeout(r, 100));
            }
          })();
          const ran = await onApp({ action: "run", job: "site", snapshot: null, target: null });
          running = false;
          await sampler;
          assert.equal(ran.code, 0, JSON.stringify(ran.lines) + ran.stderr);
          assert.deepEqual(
            ran.lines.filter((l) => l.kind === "ran"),
            [{ kind: "ran", job: "site", ok: true }],
          );
          assert.ok(
            samples.some((s) => /restic .*backup/.test(s)),
            "the process list was sampled during the backup",
          );
          assert.ok(
            samples.every((s) => !s.includes(password)),
            "the password is in no process's arguments",
          );

          const metrics = await app.succeed("cat /var/lib/prometheus/node-exporter/restic-site.prom");
          assert.equal(metric(metrics, "restic_last_run_exit_code"), 0, metrics);
          const firstSuccess = metric(metrics, "restic_last_success_timestamp_seconds");
          assert.ok(firstSuccess > 1_700_000_000, metrics);
          assert.ok(metric(metrics, "restic_last_run_added_bytes") > 3_000_000, metrics);
          assert.match(metrics, /^restic_last_run_duration_seconds\{backup="site",repository="vault"\} \d+$/m);

          const snapshots = await list("site");
          assert.deepEqual(snapshots.map((s: Snapshot) => `${s.kind} ${s.name}`).sort(), [
            "files null",
            "mysql shop",
            "postgresql shop",
            "sqlite notes",
          ]);
          assert.equal(new Set(snapshots.map((s) => s.run)).size, 1, "one run");
          // The repository is on vault, in the account Roost made for app, which may only speak sftp.
          await vault.succeed("test -f /srv/backup/app/vault/config && stat -c %U /srv/backup/app/vault/config | grep -qx backup-app");
          // That account runs no command: its key line forces sftp.
          const shell = await app.ssh(
            `ssh -F /dev/null -i /etc/ssh/ssh_host_ed25519_key -o BatchMode=yes -o StrictHostKeyChecking=no backup-app@${vault.address} id </dev/null`,
          );
          assert.doesNotMatch(shell.stdout, /uid=/);

          // Destroy all three, then restore the latest run.
          await app.succeed(
            "systemctl stop notes-writer.service && rm -rf /srv/files/* /var/lib/notes/notes.db* && " +
              "cd /tmp && runuser -u postgres -- dropdb shop",
          );
          const restored = await onApp({ action: "restore", job: "site", snapshot: null, target: null });
          assert.equal(restored.code, 0, JSON.stringify(restored.lines) + restored.stderr);
          assert.equal(await app.succeed("cd /srv/files && sha256sum blob.bin note.txt"), filesSum);
          await app.fail("test -e /srv/files/sub/x.tmp");
          for (const what of ["files", "postgresql shop", "mysql shop", "sqlite notes"])
            assert.ok(
              restored.lines.some((l) => l.kind === "other" && l.text.startsWith(`restored ${what}`)),
              `${what}: ${JSON.stringify(restored.lines)}`,
            );
          assert.equal(await app.succeed(psql("SELECT count(*), md5(string_agg(name, ',' ORDER BY id)) FROM items")), rows);
          assert.equal(
            await app.succeed(
              mariadb(
                "SET SESSION group_concat_max_len = 10000000; SELECT count(*), md5(group_concat(v ORDER BY id SEPARATOR ',')) FROM shop.orders",
              ),
            ),
            orders,
          );
          assert.equal((await app.succeed("sqlite3 /var/lib/notes/notes.db 'PRAGMA integrity_check'")).trim(), "ok");
          const [a, b] = (await app.succeed("sqlite3 /var/lib/notes/notes.db 'SELECT count(*) FROM a; SELECT count(*) FROM b'"))
            .trim()
            .split("\n");
          assert.ok(Number(a) > 200, `rows in a: ${a}`);
          assert.equal(a, b, "every transaction of the notes app is whole in the copy");

          // The same run, by one of its snapshot ids, as files under another directory.
          const pg = snapshots.find((s) => s.kind === "postgresql")!;
          const aside = await onApp({ action: "restore", job: "site", snapshot: pg.id.slice(0, 8), target: "/var/tmp/aside" });
          assert.equal(aside.code, 0, aside.stderr);
          assert.equal(await app.succeed("cd /var/tmp/aside/srv/files && sha256sum blob.bin note.txt"), filesSum);
          await app.succeed(
            "grep -q 'CREATE TABLE public.items' /var/tmp/aside/postgresql-shop.sql && grep -q 'CREATE TABLE a' /var/tmp/aside/sqlite-notes.sql",
          );

          // Retention: keep the last 3 of a local repository after 5 runs.
          for (let i = 0; i < 5; i++) assert.equal((await onApp({ action: "run", job: "etc", snapshot: null, target: null })).code, 0);
          assert.equal((await list("etc")).length, 3);
          // The repository's periodic check, run now: no error, and a metric of it.
          await app.succeed("systemctl list-timers --all --no-pager | grep -q roost-backup-check-local.timer");
          await app.succeed("systemctl start roost-backup-check-local.service");
          const check = await app.succeed("cat /var/lib/prometheus/node-exporter/restic-check-local.prom");
          assert.equal(metric(check, "restic_check_last_run_exit_code"), 0, check);

          // vault stops answering app: the unit fails, the metric says so, the last success stays.
          await vault.succeed(`nft insert rule inet roost input ip saddr ${app.address} tcp dport 22 reject with tcp reset`);
          const failed = await onApp({ action: "run", job: "site", snapshot: null, target: null });
          assert.equal(failed.code, 1);
          assert.deepEqual(
            failed.lines.find((l) => l.kind === "ran"),
            { kind: "ran", job: "site", ok: false },
          );
          await app.succeed("systemctl is-failed roost-backup-site.service");
          const after = await app.succeed("cat /var/lib/prometheus/node-exporter/restic-site.prom");
          assert.notEqual(metric(after, "restic_last_run_exit_code"), 0, after);
          assert.equal(metric(after, "restic_last_success_timestamp_seconds"), firstSuccess, after);

          // The password is nowhere but in /run: not in the generation, the store, any log.
          for (const h of [app, vault] as TestHost[]) {
            await h.fail(`grep -rqF -- ${password} /var/lib/roost /etc /var/log`);
            await h.fail(`journalctl --no-pager -o cat | grep -qF -- ${password}`);
          }
          assert.equal(await app.succeed("cat /run/roost/secrets/backup-vault-password"), password);
        },
      }),
    );
  });
});

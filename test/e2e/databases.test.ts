import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { shellQuote } from "roost";
import { runScenario, scenario } from "roost/testing";
import { fleet, mariadb, psql } from "./fixtures/databases-fleet.ts";
import { activeSince } from "./test-fleet.ts";

type Host = { succeed(command: string): Promise<string> };
const journalCursor = async (h: Host) => /cursor: (\S+)/.exec(await h.succeed("journalctl -n 0 --show-cursor --no-pager"))![1]!;
const setupLogSince = (h: Host, cursor: string) =>
  h.succeed(`journalctl --no-pager -o cat -u postgresql-setup.service --after-cursor=${shellQuote(cursor)}`);

describe("databases on real hosts", { timeout: 600_000 }, () => {
  it("PostgreSQL (peer, scram, and scram from another host; no trust, no leaked password), Redis (password, socket) and MariaDB (socket, password); a redeploy is a no-op", async () => {
    await runScenario(
      scenario({
        fleet: fleet(),
        async test({ hosts, deploy, secrets }) {
          const db = hosts.db!;
          const app = hosts.app!;
          const started = Date.now();
          await deploy({ hosts: ["db"] });
          const firstDeploy = (Date.now() - started) / 1000;
          await deploy({ hosts: ["app"] });
          await db.waitForUnit("report-writer.service");
          const rows = await db.succeed(`cd /tmp && runuser -u postgres -- ${psql} -Atd shop -c "SELECT who FROM items ORDER BY who"`);
          // The first deploy restarts the server that the package started, and with it (Requires=) the setup and its consumers: each may have written twice.
          assert.deepEqual([...new Set(rows.trim().split("\n"))], ["peer", "remote", "scram"]);
          // The port is open to the app host alone, which pg_hba.conf lets in by password only.
          const appAddress = app.address.replaceAll(".", "\\.");
          assert.match(await db.succeed("nft list table inet roost"), new RegExp(`ip saddr ${appAddress} tcp dport 5432 accept`));
          assert.equal((await db.succeed("nft list table inet roost")).match(/5432/g)!.length, 1);
          assert.match(
            await db.succeed("cat /etc/postgresql/15/main/pg_hba.conf"),
            new RegExp(`^host all all ${appAddress}/32 scram-sha-256$`, "m"),
          );
          await app.fail(`PGPASSWORD=wrong ${psql} -h ${db.address} -U remote -d shop -c "SELECT 1"`);

          // pg_hba.conf is Roost's whole file, and no file under /etc/postgresql says trust.
          await db.fail("grep -rqiw trust /etc/postgresql");
          assert.match(await db.succeed("cat /etc/postgresql/15/main/pg_hba.conf"), /^local all postgres peer$/m);

          const password = secrets.values.report_db_password!;
          assert.ok(password.length >= 16);
          const wrong = await db.ssh(`cd /tmp && PGPASSWORD=wrong-${password} ${psql} -h 127.0.0.1 -U report -d shop -c "SELECT 1"`);
          assert.notEqual(wrong.code, 0);
          assert.match(wrong.stderr, /password authentication failed for user "report"/);
          // Peer authentication: an OS user cannot log in as another role over the socket.
          await db.fail(`runuser -u reporter -- ${psql} -U shop -d shop -c "SELECT 1"`);

          // The password is stored as a SCRAM verifier, and its plaintext is nowhere but in /run/roost/secrets.
          assert.match(
            await db.succeed(`cd /tmp && runuser -u postgres -- ${psql} -Atc "SELECT rolpassword FROM pg_authid WHERE rolname = 'report'"`),
            /^SCRAM-SHA-256\$4096:/,
          );
          const leaks = `grep -rlF -- ${shellQuote(password)} /etc /var/lib/roost /var/log /var/lib/postgresql /tmp`;
          assert.equal((await db.ssh(leaks)).stdout, "");
          await db.fail(`journalctl --no-pager -o cat | grep -qF -- ${shellQuote(password)}`);

          // The setup unit again: the verifier matches, so nothing is set.
          assert.match(await db.succeed("journalctl --no-pager -o cat -u postgresql-setup.service"), /set the password of role report/);
          let cursor = await journalCursor(db);
          await db.succeed("systemctl restart postgresql-setup.service");
          assert.doesNotMatch(await setupLogSince(db, cursor), /set the password/);

          // Redis: the default server on 6379 wants the password; the cache server answers on its socket only.
          const auth = "REDISCLI_AUTH=$(cat /run/roost/secrets/redis-server-password)";
          assert.equal(await db.succeed(`${auth} redis-cli -p 6379 PING`), "PONG\n");
          assert.match(await db.succeed("redis-cli -p 6379 PING 2>&1 || true"), /NOAUTH/);
          assert.equal(await db.succeed("redis-cli -s /run/redis-cache/redis.sock GET greeting"), "hello\n");
          assert.equal(
            await db.succeed("redis-cli -s /run/redis-cache/redis.sock CONFIG GET maxmemory-policy"),
            "maxmemory-policy\nallkeys-lru\n",
          );
          assert.equal(
            (await db.succeed("ss -Hltn 'sport = :6379'")).trim().split("\n").length,
            1,
            "only the declared server listens on 6379",
          );
          await db.fail(`grep -rqF -- ${shellQuote(secrets.values.redis_password!)} /etc /var/lib/roost /var/log`);

          // MariaDB: both users wrote their row; a wrong password is refused; the plaintext is nowhere.
          await db.waitForUnit("report-my-writer.service");
          assert.equal(await db.succeed(`${mariadb} -D shop -e "SELECT DISTINCT who FROM items ORDER BY who"`), "password\nsocket\n");
          const myWrong = await db.ssh(`${mariadb} -h 127.0.0.1 -u report -pwrong -D shop -e "SELECT 1"`);
          assert.match(myWrong.stderr, /Access denied for user 'report'/);
          await db.fail(`grep -rqF -- ${shellQuote(secrets.values.report_mysql_password!)} /etc /var/lib/roost /var/log /var/lib/mysql`);

          // The same configuration again is a no-op; a reload-only setting reloads the server, restarts nothing.
          const since = await activeSince(db, "postgresql@15-main.service");
          for (const same of await deploy()) {
            assert.equal(same.status, "unchanged", same.host);
            assert.deepEqual(same.actions, { started: [], restarted: [], reloaded: [], stopped: [], changedFiles: [] });
          }
          const [reloaded] = await deploy({ fleet: fleet("8MB"), hosts: ["db"] });
          assert.deepEqual(reloaded!.actions.restarted, []);
          assert.deepEqual(reloaded!.actions.reloaded, ["postgresql@15-main.service"]);
          assert.equal(await activeSince(db, "postgresql@15-main.service"), since);
          await db.waitUntilSucceeds(`cd /tmp && runuser -u postgres -- ${psql} -Atc "SHOW work_mem" | grep -qx 8MB`);

          // A new password: the setup unit, reloaded, sets it; only the consumer that reads it restarts, and logs in with it.
          const scramRows = `cd /tmp && runuser -u postgres -- ${psql} -Atd shop -c "SELECT count(*) FROM items WHERE who = 'scram'"`;
          const before = Number(await db.succeed(scramRows));
          secrets.set("report_db_password", `${password}-rotated`);
          cursor = await journalCursor(db);
          // Every process's arguments, sampled while the deploy sets the new password.
          await db.succeed("systemd-run --unit=ps-sampler sh -c 'while :; do ps -eo args; sleep 0.02; done > /root/ps.log'");
          const [rotated] = await deploy({ fleet: fleet("8MB"), hosts: ["db"] });
          await db.succeed("systemctl stop ps-sampler.service");
          assert.ok(
            Number(await db.succeed("grep -c /etc/roost/postgresql/setup /root/ps.log || true")) > 0,
            "the sampler saw the setup run",
          );
          await db.fail(`grep -qF -- ${shellQuote(`${password}-rotated`)} /root/ps.log`);
          assert.deepEqual(rotated!.actions.restarted, ["report-writer.service"]);
          assert.deepEqual(rotated!.actions.reloaded, ["postgresql-setup.service"]);
          assert.match(await setupLogSince(db, cursor), /set the password of role report/);
          assert.equal(Number(await db.succeed(scramRows)), before + 1);

          // Idle memory: the proportional set size of each server's processes (shared pages counted once).
          const pss = async (unit: string) =>
            Math.round(
              Number(
                await db.succeed(
                  `cg=$(systemctl show -p ControlGroup --value ${unit}); for root in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do if [ -f $root$cg/cgroup.procs ]; then for p in $(cat $root$cg/cgroup.procs); do awk '/^Pss:/ { print $2 }' /proc/$p/smaps_rollup; done; break; fi; done | awk '{ s += $1 } END { print s }'`,
                ),
              ) / 1024,
            );
          console.log(
            `# first deploy (PostgreSQL, MariaDB and Redis installed, clusters made, setup done): ${firstDeploy.toFixed(1)} s; ` +
              `idle PSS: postgresql ${await pss("postgresql@15-main.service")} MiB, mariadb ${await pss("mariadb.service")} MiB, redis ${await pss("redis-server.service")} MiB`,
          );

          // Without the server named "", Debian's redis-server.service is Roost's unit that runs nothing: 6379 is free.
          const [noDefault] = await deploy({ fleet: fleet("8MB", false), hosts: ["db"] });
          assert.ok(noDefault!.actions.restarted.includes("redis-server.service"), noDefault!.actions.restarted.join(" "));
          assert.equal(await db.succeed("ss -Hltn 'sport = :6379'"), "");
          assert.match(
            await db.succeed("systemctl show -p ActiveState,SubState redis-server.service"),
            /ActiveState=active\nSubState=exited/,
          );
          assert.equal(await db.succeed("redis-cli -s /run/redis-cache/redis.sock GET greeting"), "hello\n");
        },
      }),
    );
  });
});

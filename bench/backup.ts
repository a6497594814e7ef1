// Backup benchmark: a 1 GiB mixed data set (random and text files, large and 10 000 small) and a
// PostgreSQL database whose dump is about 100 MB, on a test host, backed up by roost-backup over sftp
// to a second test host. Prints the time and restic's peak memory of the first backup, of a second
// one with nothing changed (and the bytes it added), and of a restore of the run under a directory
// (files, and the dump as a file). Needs root. Usage: node --import tsx bench/backup.ts
import { defineFleet, host, secret } from "roost";
import { backup } from "roost/services/backup";
import { postgresql } from "roost/services/postgresql";
import { runScenario, scenario, type TestHost } from "roost/testing";
import { backupOnHost } from "../src/deploy/backup.ts";

const fleet = defineFleet({
  modules: [backup],
  hosts: {
    app: host({
      address: "root@app",
      modules: [backup, postgresql],
      config: {
        directories: { "/srv/data": { mode: "0755" } },
        services: {
          postgresql: { enable: true, ensureDatabases: ["shop"] },
          backup: {
            enable: true,
            repositories: { vault: { sftp: { host: "vault" }, passwordSecret: secret("backup_password"), checkSchedule: null } },
            jobs: { bench: { paths: ["/srv/data"], databases: [{ type: "postgresql", name: "shop" }] } },
          },
        },
      },
    }),
    vault: host({ address: "root@vault", modules: [backup] }),
  },
});

const dataSet = [
  "set -e",
  "cd /srv/data",
  "head -c 400M /dev/urandom > random.bin",
  "head -c 220M /dev/urandom | base64 > text.b64",
  // Text that compresses and partly repeats, as logs do.
  "seq 1 3500000 | sed 's/$/ GET \\/api\\/items?page=1 200 0.012s/' > access.log",
  "mkdir -p small && cd small && for d in $(seq 1 100); do mkdir $d; for f in $(seq 1 100); do head -c 20480 /dev/urandom > $d/$f; done; done",
].join("\n");

/** Run `command` on the host while sampling the resident memory of every restic process; ms and peak KiB. */
async function measured(h: TestHost, run: () => Promise<unknown>): Promise<{ ms: number; peakKiB: number }> {
  await h.succeed(
    "touch /run/bench-sampling; (peak=0; while [ -e /run/bench-sampling ]; do for r in $(ps -C restic -o rss=); do [ $r -gt $peak ] && peak=$r; done; sleep 0.05; done; echo $peak > /run/bench-peak) >/dev/null 2>&1 &",
  );
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  await h.succeed("rm -f /run/bench-sampling; sleep 0.2");
  return { ms, peakKiB: Number((await h.succeed("cat /run/bench-peak")).trim()) };
}

const metric = (text: string, name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, "m").exec(text)?.[1]);
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

await runScenario(
  scenario({
    fleet,
    async test({ hosts, deploy, ssh, onLab }) {
      const app = hosts.app!;
      const target = onLab(fleet).hosts.app!;
      await deploy();
      await app.waitForUnit("postgresql-setup.service", 60_000);
      console.log("generating the data set…");
      await app.succeed(dataSet);
      await app.succeed(
        'cd /tmp && runuser -u postgres -- psql -X -q -d shop -c "CREATE TABLE big(id int PRIMARY KEY, a text, b text); INSERT INTO big SELECT g, md5(g::text), md5((g * 7)::text) FROM generate_series(1, 1450000) g;"',
      );
      const files = Number((await app.succeed("du -sb /srv/data | cut -f1")).trim());
      const dump = Number((await app.succeed("cd /tmp && runuser -u postgres -- pg_dump shop | wc -c")).trim());
      const count = (await app.succeed("find /srv/data -type f | wc -l")).trim();
      console.log(`data set: ${mib(files)} in ${count} files; PostgreSQL dump ${mib(dump)}`);

      const run = async () => {
        const r = await backupOnHost("app", target, ssh, { action: "run", job: "bench", snapshot: null, target: null });
        if (r.code !== 0) throw new Error(`backup failed: ${JSON.stringify(r.lines)} ${r.stderr}`);
      };
      const first = await measured(app, run);
      const firstMetrics = await app.succeed("cat /var/lib/prometheus/node-exporter/restic-bench.prom");
      const second = await measured(app, run);
      const secondMetrics = await app.succeed("cat /var/lib/prometheus/node-exporter/restic-bench.prom");
      const restore = await measured(app, async () => {
        const r = await backupOnHost("app", target, ssh, { action: "restore", job: "bench", snapshot: null, target: "/var/tmp/restore" });
        if (r.code !== 0) throw new Error(`restore failed: ${r.stderr}`);
      });
      await app.succeed(
        "cd /srv/data && sha256sum random.bin text.b64 access.log > /tmp/sums && cd /var/tmp/restore/srv/data && sha256sum -c --quiet /tmp/sums",
      );
      const repo = (await hosts.vault!.succeed("du -sb /srv/backup/app/vault | cut -f1")).trim();

      const rows = [
        ["first backup", first, `${mib(metric(firstMetrics, "restic_last_run_added_bytes"))} added`],
        ["second backup, nothing changed", second, `${mib(metric(secondMetrics, "restic_last_run_added_bytes"))} added`],
        ["restore of the run (--to a directory)", restore, "files byte-equal"],
      ] as const;
      console.log("\nwhat                                     wall time   restic peak RSS");
      for (const [what, m, note] of rows)
        console.log(`${what.padEnd(40)} ${`${(m.ms / 1000).toFixed(1)} s`.padStart(9)}   ${mib(m.peakKiB * 1024).padStart(10)}   ${note}`);
      console.log(`repository on vault: ${mib(Number(repo))}`);
    },
  }),
);

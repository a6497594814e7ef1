import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { defineFleet, host, type Fleet } from "roost";
import { acme as acmeModule } from "roost/services/acme";
import { appDashboard, backups, serviceHealth, systemOverview } from "roost/services/dashboards";
import { monitoring } from "roost/services/monitoring";
import { runScenario, startAcmeServer, type AcmeServer, type TestHost } from "roost/testing";

// Every query of the dashboards, run on the live VictoriaMetrics of a two-host fleet. The app
// dashboard is built for vmagent's own job (a real process serving metrics on every host); the
// backup dashboard reads a node_exporter textfile in the format roost-backup's runner writes, since
// no restic repository is part of this scenario.
const domain = "metrics.example.test";
const pebbleCa = "/etc/ssl/pebble-server.pem";
const rootCa = "/etc/ssl/pebble-root.pem";
const agent = { scrapeInterval: "2s", flushInterval: "1s", tlsCAFile: rootCa } as const;
const backupMetrics = (at: number) =>
  `restic_last_success_timestamp_seconds{backup="files"} ${at}\nrestic_max_age_seconds{backup="files"} 93600\n`;

function fleetFor(env: { acme: AcmeServer; root: string } | null): Fleet {
  const files = {
    [rootCa]: { text: env?.root ?? "none\n" },
    "/var/lib/prometheus/node-exporter/restic-files.prom": { text: backupMetrics(Math.floor(Date.now() / 1000) - 600) },
  };
  return defineFleet({
    modules: [monitoring],
    hosts: {
      cheetah: host({
        address: "root@cheetah.invalid",
        modules: [monitoring, acmeModule],
        config: {
          packages: ["curl"],
          files: { ...files, [pebbleCa]: { text: env?.acme.serverCaPem ?? "none\n" } },
          security: {
            acme: {
              acceptTerms: true,
              defaults: {
                email: "admin@example.test",
                server: env?.acme.directoryUrl ?? "https://acme.invalid/dir",
                serverCaFile: pebbleCa,
              },
            },
          },
          monitoring: {
            server: { enable: true, domain, mail: { to: ["ops@example.test"], from: "alerts@example.test", smarthost: "smtp.invalid:25" } },
            agent,
          },
        },
      }),
      tiger: host({ address: "root@tiger.invalid", modules: [monitoring], config: { packages: ["curl"], files, monitoring: { agent } } }),
    },
  });
}

async function query(server: TestHost, promql: string): Promise<unknown[]> {
  const word = `'${`query=${promql}`.replaceAll("'", "'\\''")}'`;
  const out = await server.succeed(`curl -sf --max-time 5 http://127.0.0.1:8428/api/v1/query --data-urlencode ${word}`);
  return (JSON.parse(out) as { data: { result: unknown[] } }).data.result;
}

/** A panel that shows only trouble (== 1, > 0, == 0) is empty on a healthy fleet: its series must exist. */
function withoutFilter(expr: string): string {
  return expr.replace(/\s*(==|>|<)\s*\d+\s*$/, "");
}

const dashboards = [systemOverview(), serviceHealth(), backups(), appDashboard("vmagent")];
const queries = dashboards.flatMap((d) =>
  (d.panels ?? []).flatMap((p) =>
    ((p as { targets?: { expr?: string }[] }).targets ?? []).map((t) => ({
      dashboard: d.uid ?? "",
      expr: t.expr!.replaceAll("$host", ".*"),
    })),
  ),
);

describe("dashboards on a live fleet", { timeout: 900_000 }, () => {
  it("every dashboard query returns data from VictoriaMetrics", async () => {
    await runScenario({
      fleet: fleetFor(null),
      async test({ hosts, deploy }) {
        const { cheetah } = hosts as Record<string, TestHost>;
        const acme = await startAcmeServer({ address: cheetah!.spec.gateway });
        try {
          await acme.addHost(domain, cheetah!.address);
          await deploy({ fleet: fleetFor({ acme, root: await acme.issuingRootPem() }) });
          const deployed = Date.now();
          const missing = new Set(queries.map((q) => `${q.dashboard}: ${q.expr}`));
          // Health checks are exported once a minute; rates need two samples.
          const deadline = Date.now() + 150_000;
          while (missing.size > 0 && Date.now() < deadline) {
            for (const q of queries) {
              const key = `${q.dashboard}: ${q.expr}`;
              if (missing.has(key) && (await query(cheetah!, withoutFilter(q.expr))).length > 0) missing.delete(key);
            }
            if (missing.size > 0) await sleep(5000);
          }
          assert.deepEqual([...missing], [], "queries without data");
          // The filtered forms are valid on VictoriaMetrics too (an empty result is an answer).
          for (const q of queries) await query(cheetah!, q.expr);
          console.log(
            `${queries.length} dashboard queries returned data ${((Date.now() - deployed) / 1000).toFixed(0)} s after the deploy`,
          );
        } finally {
          await acme.close();
        }
      },
    });
  });
});

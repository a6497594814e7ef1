import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Fleet } from "roost";
import { appDashboard, fleetDashboards } from "roost/services/dashboards";
import { promqlProblem } from "roost/services/monitoring";
import { buildHostFrom, runScenario, subjectOf, type TestHost } from "roost/testing";
import { domain, monitoredFleet, rootCa, until, withMonitoredEnv, type MonitoredEnv } from "./fixtures/monitored-fleet.ts";

/** What roost-backup's runner leaves for node_exporter after a success: the backups dashboard reads it (no restic repository here). */
const backupTextfile = "/var/lib/prometheus/node-exporter/restic-files.prom";
const backupMetrics = `restic_last_success_timestamp_seconds{backup="files"} ${Math.floor(Date.now() / 1000) - 600}\nrestic_max_age_seconds{backup="files"} 93600\n`;

/** The monitoring fleet with metrics every 2 s and alerts in seconds; tiger has a backup's metrics. */
const fleetFor = (env: MonitoredEnv | null, backend: "victoriametrics" | "prometheus" = "victoriametrics"): Fleet =>
  monitoredFleet(env, { backend, quick: true, tigerFiles: { [backupTextfile]: { text: backupMetrics } } });

/** An instant query on the server's VictoriaMetrics: the result's series. */
async function query(
  server: TestHost,
  promql: string,
  time?: number,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const at = time === undefined ? "" : ` --data-urlencode time=${time}`;
  const out = await server.succeed(
    `curl -sf --max-time 5 http://127.0.0.1:8428/api/v1/query --data-urlencode ${shellWord(`query=${promql}`)}${at}`,
  );
  return JSON.parse(out).data.result;
}

function shellWord(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** A second vmagent on tiger, with tiger's token, labels its series host="cheetah": the server stores them as tiger. */
async function assertForgedHostIgnored(tiger: TestHost, cheetah: TestHost): Promise<void> {
  await tiger.succeed(
    [
      "systemd-run --unit=forger -p User=vmagent -p BindReadOnlyPaths=/etc/roost-monitoring/vmagent-hosts:/etc/hosts",
      "/usr/bin/vmagent -promscrape.config=/etc/roost-monitoring/vmagent.yml",
      `-remoteWrite.url=https://${domain}/api/v1/write -remoteWrite.bearerTokenFile=/run/roost/secrets/monitoring-token`,
      `-remoteWrite.tlsCAFile=${rootCa} -remoteWrite.label=host=cheetah -remoteWrite.label=forged=yes`,
      "-remoteWrite.tmpDataPath=/tmp/forger -remoteWrite.flushInterval=1s -httpListenAddr=127.0.0.1:8439",
    ].join(" "),
  );
  await until("forged series", 30_000, async () => ((await query(cheetah, 'up{forged="yes"}')).length > 0 ? true : null));
  const forged = await query(cheetah, 'count by (host) (up{forged="yes"})');
  assert.deepEqual(
    forged.map((r) => r.metric.host),
    ["tiger"],
  );
  await tiger.succeed("systemctl stop forger");
}

/**
 * Every query of the fleet's generated dashboards, with Grafana's variables filled in: $host a real
 * host, the interval variables a fitting range. The fleet has no app with a metrics path, so the app
 * dashboard is the one for vmagent's own job (a process serving metrics on every host).
 */
function dashboardQueries(fleet: Fleet, host: string): { panel: string; expr: string }[] {
  const nodes = Object.fromEntries(Object.keys(fleet.hosts).map((n) => [n, { config: buildHostFrom(fleet, n).config }]));
  const dashboards = { ...fleetDashboards(nodes), "roost-app-vmagent.json": appDashboard("vmagent") };
  return Object.values(dashboards).flatMap((d) =>
    (d.panels ?? []).flatMap((p) =>
      ((p as { title?: string; targets?: { expr?: string }[] }).targets ?? []).map((t) => ({
        panel: `${d.uid}: ${(p as { title?: string }).title}`,
        expr: t
          .expr!.replaceAll("$host", host)
          .replaceAll(/\$__(rate_interval|interval)\b/g, "1m")
          .replaceAll("$__range", "1h"),
      })),
    ),
  );
}

/** A panel that shows only trouble (== 1, > 0, == 0) is empty on a healthy fleet: the series it filters must exist. */
const withoutTroubleFilter = (expr: string) => expr.replace(/\s*(==|>|<)\s*\d+\s*$/, "");

/** Runs every query in one SSH round trip: the number of series of each (null: VictoriaMetrics refused it). */
async function seriesCounts(server: TestHost, exprs: readonly string[]): Promise<(number | null)[]> {
  const script = exprs
    .map((e) => `curl -s --max-time 5 http://127.0.0.1:8428/api/v1/query --data-urlencode ${shellWord(`query=${e}`)}; echo`)
    .join("\n");
  const lines = (await server.succeed(script)).split("\n");
  return exprs.map((_, i) => {
    try {
      const r = JSON.parse(lines[i]!) as { status: string; data: { result: unknown[] } };
      return r.status === "success" ? r.data.result.length : null;
    } catch {
      return null;
    }
  });
}

/** Every dashboard query parses, is answered by VictoriaMetrics, and has data for `host`; the $host variable lists every host. */
async function assertDashboardsHaveData(server: TestHost, fleet: Fleet, host: string): Promise<void> {
  const started = Date.now();
  const queries = dashboardQueries(fleet, host);
  for (const q of queries) assert.equal(promqlProblem(q.expr), null, q.expr);
  let empty: string[] = [];
  await until(
    "data for every dashboard query",
    30_000,
    async () => {
      const counts = await seriesCounts(
        server,
        queries.map((q) => withoutTroubleFilter(q.expr)),
      );
      empty = queries.filter((_, i) => !(counts[i]! > 0)).map((q) => `${q.panel}: ${q.expr}`);
      return empty.length === 0 ? true : null;
    },
    { lastSeen: () => empty.join("; ") },
  );
  // The filtered forms are answered too (empty on a healthy fleet is an answer).
  const filtered = await seriesCounts(
    server,
    queries.map((q) => q.expr),
  );
  assert.deepEqual(
    queries.filter((_, i) => filtered[i] === null).map((q) => q.expr),
    [],
  );
  const hosts = JSON.parse(await server.succeed("curl -sf --max-time 5 'http://127.0.0.1:8428/api/v1/label/host/values?match[]=up'")) as {
    data: string[];
  };
  assert.deepEqual(hosts.data.sort(), Object.keys(fleet.hosts).sort());
  console.log(
    `dashboards: ${queries.length} queries of ${new Set(queries.map((q) => q.panel.split(":")[0])).size} dashboards parsed and returned data for ${host} (checked in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}

/**
 * Waits until the server serves pebble's certificate, then until every host's node metrics are stored.
 * An agent whose writes failed (placeholder certificate, server still starting) backs off up to a minute
 * between retries (vmagent's fixed ceiling), so the second wait allows one full backoff past the first.
 */
async function waitForEveryHostsMetrics(tiger: TestHost, cheetah: TestHost, deployed: number, label: string): Promise<void> {
  await until("the server's certificate from pebble", 240_000, async () =>
    (await tiger.ssh(`curl -s -o /dev/null --max-time 5 --cacert ${rootCa} --resolve ${domain}:443:${cheetah.address} https://${domain}/`))
      .code === 0
      ? true
      : null,
  );
  const certified = Date.now();
  let seen: string[] = [];
  await until(
    `${label}: node metrics of cheetah, tiger and dino`,
    90_000,
    async () => {
      seen = (await query(cheetah, "count by (host) (node_uname_info)")).map((r) => r.metric.host!).sort();
      return seen.join(",") === "cheetah,dino,tiger" ? seen : null;
    },
    { lastSeen: () => `hosts ${seen.join(",") || "none"}` },
  );
  console.log(
    `${label}: certificate served ${((certified - deployed) / 1000).toFixed(1)} s after the deploy; node metrics of all three hosts queryable ${((Date.now() - certified) / 1000).toFixed(1)} s after that`,
  );
}

describe("monitoring: a central host and three agents on real hosts", { timeout: 900_000 }, () => {
  it("stores every host's metrics under its own name, refuses writes without a valid token, keeps an intermittent host's data and mails alerts", async () => {
    await runScenario({
      fleet: fleetFor(null),
      async test({ hosts, deploy, secrets }) {
        const { cheetah, tiger, dino } = hosts as Record<string, TestHost>;
        await withMonitoredEnv(cheetah!, async (env) => {
          const { sink } = env;
          await deploy({ fleet: fleetFor(env) });
          const deployed = Date.now();

          // Every host's node metrics, under its own name.
          await waitForEveryHostsMetrics(tiger!, cheetah!, deployed, "victoriametrics");

          // The agent at idle: RSS, and CPU over 20 s from the kernel's tick counters, of vmagent and node_exporter on tiger.
          const usage = async () =>
            (
              await tiger!.succeed(
                "for p in $(pidof vmagent prometheus-node-exporter); do echo $(cat /proc/$p/comm) $(awk '{print $14 + $15}' /proc/$p/stat) $(awk '/^VmRSS/ {print $2}' /proc/$p/status); done",
              )
            )
              .trim()
              .split("\n")
              .map((l) => l.split(" "));
          const before = await usage();
          await sleep(20_000);
          for (const [name, ticks, rssKb] of await usage()) {
            const was = Number(before.find(([n]) => n === name)?.[1] ?? ticks);
            console.log(
              `tiger idle: ${name} RSS ${(Number(rssKb) / 1024).toFixed(1)} MiB, CPU ${(((Number(ticks) - was) / 100 / 20) * 100).toFixed(2)}% of a core over 20 s`,
            );
          }

          // The write path: no token and a wrong token are refused by nginx; a valid token passes (a junk body is VictoriaMetrics' 400).
          const write = (auth: string | null) =>
            tiger!.succeed(
              `curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert ${rootCa} --resolve ${domain}:443:${cheetah!.address} -X POST --data-binary junk ${auth === null ? "" : `-H 'Authorization: Bearer ${auth}'`} https://${domain}/api/v1/write`,
            );
          assert.equal(await write(null), "401");
          assert.equal(await write("wrong-token"), "401");
          assert.equal(await write(`${secrets.values.monitoring_token_tiger!}x`), "401");
          assert.equal(await write(secrets.values.monitoring_token_tiger!), "400");
          // Only the write path is served.
          assert.equal(
            await tiger!.succeed(
              `curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert ${rootCa} --resolve ${domain}:443:${cheetah!.address} -H 'Authorization: Bearer ${secrets.values.monitoring_token_tiger!}' 'https://${domain}/api/v1/query?query=up'`,
            ),
            "404",
          );
          // VictoriaMetrics itself is on 127.0.0.1 only.
          await tiger!.fail(`curl -sf --max-time 3 http://${cheetah!.address}:8428/health`);

          // tiger's own token with series that say host="cheetah": stored as tiger.
          await assertForgedHostIgnored(tiger!, cheetah!);

          // Each host's Roost health checks, run every minute, are metrics too.
          await until("roost_health_check_ok of every host", 90_000, async () => {
            const r = await query(cheetah!, 'count by (host) (roost_health_check_ok{check="vmagent"} == 1)');
            return r.length === 3 ? r : null;
          });

          // Every dashboard query, on this live fleet's VictoriaMetrics.
          await assertDashboardsHaveData(cheetah!, fleetFor(env), "tiger");

          // A failed unit on tiger: SystemdUnitFailed mails it.
          await tiger!.ssh("systemd-run --unit=doomed -p Restart=no /bin/false");
          const failedMail = await sink.waitForMessage(
            (m) => /SystemdUnitFailed/.test(subjectOf(m)) && /doomed\.service/.test(m.data),
            60_000,
          );
          assert.match(subjectOf(failedMail), /tiger/);
          assert.deepEqual(failedMail.to, ["ops@example.test"]);

          // dino goes away and tiger stops: a HostNotReporting mail for tiger, none for dino (intermittent).
          const cutAt = Date.now();
          const cutSeconds = Math.floor(cutAt / 1000);
          await dino!.cutNetwork();
          await tiger!.stop();
          const stopped = Date.now();
          // Mails from before the stop do not count: HostNotReporting also fires while a new agent has not sent anything yet.
          const earlier = sink.messages.length;
          const downMail = await sink.waitForMessage(
            (m) => sink.messages.indexOf(m) >= earlier && /^\[FIRING:\d+\] HostNotReporting tiger/.test(subjectOf(m)),
            120_000,
          );
          console.log(`tiger stopped → HostNotReporting mail in ${((Date.now() - stopped) / 1000).toFixed(1)} s (hostDownAfter 20s)`);
          // The body is quoted-printable HTML: join its soft line breaks before reading the summary.
          assert.match(downMail.data.replaceAll("=\n", ""), /tiger is not reporting/);
          await sleep(Math.max(0, cutAt + 45_000 - Date.now()));
          assert.deepEqual(
            sink.messages.filter((m) => /HostNotReporting/.test(subjectOf(m)) && /dino/.test(subjectOf(m))).map(subjectOf),
            [],
          );

          // dino is back: what it scraped while away arrives from its buffer, so its series has no gap.
          await dino!.restoreNetwork();
          const awaySeconds = Math.floor(Date.now() / 1000) - cutSeconds;
          const samples = await until("dino's buffered samples", 60_000, async () => {
            const r = await query(
              cheetah!,
              `count_over_time(up{job="vmagent",host="dino"}[${awaySeconds - 4}s])`,
              cutSeconds + awaySeconds - 2,
            );
            const n = Number(r[0]?.value[1] ?? 0);
            // A scrape every 2 s; without the buffer the whole time away would be missing.
            return n >= ((awaySeconds - 4) / 2) * 0.8 ? n : null;
          });
          console.log(`dino away ${awaySeconds} s: ${samples} samples of up (every 2 s) stored for that time after it came back`);
        });
      },
    });
  });

  it("with the prometheus backend: every host's metrics under its own name, whatever host label an agent sends", async () => {
    await runScenario({
      fleet: fleetFor(null, "prometheus"),
      async test({ hosts, deploy }) {
        const { cheetah, tiger } = hosts as Record<string, TestHost>;
        await withMonitoredEnv(cheetah!, async (env) => {
          await deploy({ fleet: fleetFor(env, "prometheus") });
          const deployed = Date.now();
          await waitForEveryHostsMetrics(tiger!, cheetah!, deployed, "prometheus");
          assert.match(await cheetah!.succeed("curl -sf --max-time 5 http://127.0.0.1:8428/api/v1/status/buildinfo"), /"version":"2\./);
          await assertForgedHostIgnored(tiger!, cheetah!);
        });
      },
    });
  });
});

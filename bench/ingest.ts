// Ingest benchmark: one test host runs the monitoring server (VictoriaMetrics behind nginx with a
// pebble certificate and a token map of 100 agent hosts that the fleet declares but never deploys).
// This process plays the 100 agents: each sends remote-write requests of 500 series with its own
// token over its own kept HTTPS connection, first paced (one request a second, as vmagent flushes)
// and then back to back (a buffer replayed after an outage). Side by side in the same run, the same
// load goes straight to VictoriaMetrics on the host's address (no TLS, nginx or token check); each
// path runs twice, in the order A B B A. Prints samples/s, request latency, errors, CPU of nginx and
// VictoriaMetrics, the ratios of the two paths, and checks that VictoriaMetrics stored every sample
// sent, under the host its token names.
// Needs root. Usage: node --import tsx bench/ingest.ts
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { isMainThread, Worker } from "node:worker_threads";
import http from "node:http";
import https from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { defineFleet, host, type Fleet } from "roost";
import { acme as acmeModule } from "roost/services/acme";
import { monitoring } from "roost/services/monitoring";
import { runScenario, scenario, startAcmeServer, type AcmeServer, type TestHost } from "roost/testing";
import { checkEncoding, quantile, runLoad, type LoadResult, type LoadSpec, type SimulatedAgent, type Target } from "./remote-write.ts";

const domain = "metrics.example.test";
const pebbleCa = "/etc/ssl/pebble-server.pem";
const vmPort = 8428;
const agentCount = 100;
const seriesPerAgent = 500;
const pacedSeconds = 12;
const burstSeconds = 8;
const agentNames = Array.from({ length: agentCount }, (_, i) => `agent${String(i + 1).padStart(3, "0")}`);
const tokens = Object.fromEntries(agentNames.map((n) => [n, randomBytes(24).toString("base64url")]));

/** A host key for the agents that are never deployed: their tokens are encrypted to it, and no one holds its private half. */
function unusedHostKey(): string {
  const x = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }).x!;
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from("ssh-ed25519")), field(Buffer.from(x, "base64url"))]).toString("base64")}`;
}

function fleetFor(acme: AcmeServer | null): Fleet {
  const hostKey = unusedHostKey();
  return defineFleet({
    modules: [monitoring],
    hosts: {
      mon: host({
        address: "root@mon.invalid",
        modules: [monitoring, acmeModule],
        config: {
          files: { [pebbleCa]: { text: acme?.serverCaPem ?? "none\n" } },
          security: {
            acme: {
              acceptTerms: true,
              defaults: { email: "admin@example.test", server: acme?.directoryUrl ?? "https://acme.invalid/dir", serverCaFile: pebbleCa },
            },
          },
          monitoring: {
            server: {
              enable: true,
              domain,
              // The direct path of the side-by-side run: VictoriaMetrics also on the host's address.
              victoriametricsFlags: ["-search.latencyOffset=1s", `-httpListenAddr=:${vmPort}`],
              mail: { to: ["ops@example.test"], from: "alerts@example.test", smarthost: "127.0.0.1:25", requireTls: false },
            },
            // Only the synthetic agents write: the server's own metrics would be noise.
            agent: { enable: false },
            logs: { enable: false },
          },
          networking: { firewall: { allowedTCPPorts: [vmPort] } },
        },
      }),
      ...Object.fromEntries(agentNames.map((n) => [n, host({ address: `root@${n}.invalid`, hostKey, modules: [monitoring] })])),
    },
  });
}

/** One GET, resolved with the status; rejects on a network or TLS error. */
function get(url: string, options: https.RequestOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith("https:") ? https : http).get(url, { ...options, timeout: 30_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`${url}: no answer`)));
  });
}

async function until<T>(what: () => string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe().catch(() => null);
    if (got !== null) return got;
    if (Date.now() > deadline) throw new Error(`${what()}: not within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

/** CPU seconds of nginx (all its processes) and VictoriaMetrics on the host, from the kernel's tick counters. */
async function serverCpu(mon: TestHost): Promise<{ nginx: number; vm: number }> {
  const out = await mon.succeed(
    "for p in $(pidof nginx victoria-metrics); do echo $(cat /proc/$p/comm) $(awk '{print $14 + $15}' /proc/$p/stat); done",
  );
  const sum = (comm: string) =>
    out
      .trim()
      .split("\n")
      .map((l) => l.split(" "))
      .filter(([c]) => c!.startsWith(comm))
      .reduce((s, [, ticks]) => s + Number(ticks) / 100, 0);
  // comm is cut at 15 characters: "victoria-metric".
  return { nginx: sum("nginx"), vm: sum("victoria-metric") };
}

interface Measured extends LoadResult {
  readonly nginxCpu: number;
  readonly vmCpu: number;
}

async function measure(mon: TestHost, target: Target, agents: readonly SimulatedAgent[], spec: LoadSpec): Promise<Measured> {
  let before = { nginx: 0, vm: 0 };
  const result = await runLoad(target, agents, spec, async () => {
    before = await serverCpu(mon);
  });
  const after = await serverCpu(mon);
  if (result.errors > 0) throw new Error(`${result.errors} requests failed: ${result.errorSamples.join("; ")}`);
  return { ...result, nginxCpu: after.nginx - before.nginx, vmCpu: after.vm - before.vm };
}

/** Runs of one path as one: their samples, time, CPU and latencies together. */
function combined(runs: readonly Measured[]): Measured {
  const total = (f: (r: Measured) => number) => runs.reduce((sum, r) => sum + f(r), 0);
  return {
    requests: total((r) => r.requests),
    warmupSamples: total((r) => r.warmupSamples),
    samples: total((r) => r.samples),
    errors: total((r) => r.errors),
    errorSamples: runs.flatMap((r) => r.errorSamples),
    elapsedMs: total((r) => r.elapsedMs),
    latencies: runs.flatMap((r) => r.latencies).sort((a, b) => a - b),
    late: total((r) => r.late),
    generatorCpuSeconds: total((r) => r.generatorCpuSeconds),
    generatorLagP99Ms: Math.max(...runs.map((r) => r.generatorLagP99Ms)),
    nginxCpu: total((r) => r.nginxCpu),
    vmCpu: total((r) => r.vmCpu),
  };
}

const rate = (r: Measured) => r.samples / (r.elapsedMs / 1000);
const percentOfCore = (cpuSeconds: number, r: Measured) => `${((cpuSeconds / (r.elapsedMs / 1000)) * 100).toFixed(0)}%`;

function row(label: string, r: Measured): string {
  return [
    label.padEnd(30),
    Math.round(rate(r)).toLocaleString("en").padStart(10),
    quantile(r.latencies, 0.5).toFixed(1).padStart(8),
    quantile(r.latencies, 0.9).toFixed(1).padStart(8),
    quantile(r.latencies, 0.99).toFixed(1).padStart(8),
    String(r.requests).padStart(8),
    String(r.errors).padStart(6),
    percentOfCore(r.nginxCpu, r).padStart(6),
    percentOfCore(r.vmCpu, r).padStart(6),
    percentOfCore(r.generatorCpuSeconds, r).padStart(10),
    r.generatorLagP99Ms.toFixed(0).padStart(8),
  ].join(" ");
}

// Evaluating the monitoring module for 101 hosts nests one host's evaluation in the next (each
// agent's default reads every host's server switch) deeper than Node's default stack of about 1 MB:
// the benchmark runs on a thread with a larger one.
if (isMainThread) {
  const worker = new Worker(
    `import { register } from "tsx/esm/api"; register(); const m = await import(${JSON.stringify(import.meta.url)}); await m.main();`,
    { eval: true, resourceLimits: { stackSizeMb: 64 } },
  );
  worker.on("error", (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}

export async function main(): Promise<void> {
  const started = Date.now();
  checkEncoding();
  await runScenario(
    scenario({
      fleet: fleetFor(null),
      hosts: ["mon"],
      secrets: Object.fromEntries(agentNames.map((n) => [`monitoring_token_${n}`, tokens[n]!])),
      async test({ hosts, deploy }) {
        const mon = hosts.mon!;
        const acme = await startAcmeServer({ address: mon.spec.gateway });
        try {
          await acme.addHost(domain, mon.address);
          const ca = await acme.issuingRootPem();
          const deployStarted = Date.now();
          await deploy({ fleet: fleetFor(acme) });
          const deployed = Date.now();
          const tls = { ca, servername: domain };
          await until(
            () => "the endpoint's certificate from pebble",
            120_000,
            async () => ((await get(`https://${mon.address}/`, { ...tls, headers: { Host: domain } })).status > 0 ? true : null),
          );
          console.log(
            `monitoring server deployed in ${((deployed - deployStarted) / 1000).toFixed(0)} s, pebble certificate served ${((Date.now() - deployed) / 1000).toFixed(0)} s later`,
          );

          // The deploy's tail (units starting, the first scrapes and rule evaluations) settles first.
          await sleep(5000);
          const agents = agentNames.map((name) => ({ name, token: tokens[name]! }));
          const viaNginx: Target = { address: mon.address, port: 443, tls, path: () => "/api/v1/write" };
          const direct: Target = {
            address: mon.address,
            port: vmPort,
            tls: null,
            path: (agent) => `/api/v1/write?extra_label=host=${agent}`,
          };
          const spec = (path: string, mode: "paced" | "burst"): LoadSpec => ({
            labels: { path, phase: mode },
            seriesPerAgent,
            mode,
            intervalMs: 1000,
            durationMs: (mode === "paced" ? pacedSeconds : burstSeconds) * 1000,
          });
          // Each path twice, in the order A B B A, so that neither gains from going first or last.
          const runs: [string, string, Measured][] = [];
          for (const mode of ["paced", "burst"] as const)
            for (const [path, target] of [
              ["nginx", viaNginx],
              ["direct", direct],
              ["direct", direct],
              ["nginx", viaNginx],
            ] as const) {
              console.log(`${((Date.now() - deployStarted) / 1000).toFixed(0)} s: ${mode}, ${path}…`);
              runs.push([mode, path, await measure(mon, target, agents, spec(path, mode))]);
            }
          const both = (mode: string, path: string) => combined(runs.filter(([m, p]) => m === mode && p === path).map(([, , r]) => r));
          const [pacedNginx, pacedDirect, burstNginx, burstDirect] = [
            both("paced", "nginx"),
            both("paced", "direct"),
            both("burst", "nginx"),
            both("burst", "direct"),
          ];
          console.log(
            `\n${agentCount} agents × ${seriesPerAgent} series; paced: a request per agent every second; burst: each agent back to back; each path twice (A B B A), ${pacedSeconds} s paced and ${burstSeconds} s burst a time; load average of this machine ${loadavg()
              .map((l) => l.toFixed(1))
              .join(" ")}`,
          );
          console.log(
            `${"".padEnd(30)} ${"samples/s".padStart(10)} ${"p50 ms".padStart(8)} ${"p90 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"requests".padStart(8)} ${"errors".padStart(6)} ${"nginx".padStart(6)} ${"VM".padStart(6)} ${"generator".padStart(10)} ${"lag p99".padStart(8)}`,
          );
          console.log(row("paced, nginx + TLS + token", pacedNginx));
          console.log(row("paced, VictoriaMetrics direct", pacedDirect));
          console.log(row("burst, nginx + TLS + token", burstNginx));
          console.log(row("burst, VictoriaMetrics direct", burstDirect));
          console.log(
            "(CPU columns: % of one core over the run; the generator is this process, on the same two cores as the test host; lag p99: its event-loop delay in ms, part of any latency it measures)",
          );
          const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
          for (const [label, viaN, viaD] of [
            ["paced", pacedNginx, pacedDirect],
            ["burst", burstNginx, burstDirect],
          ] as const)
            console.log(
              `${label}: through nginx ${ratio(rate(viaN), rate(viaD))} the direct throughput, p50 ${ratio(quantile(viaN.latencies, 0.5), quantile(viaD.latencies, 0.5))}, p99 ${ratio(quantile(viaN.latencies, 0.99), quantile(viaD.latencies, 0.99))} the direct; nginx ${((viaN.nginxCpu / viaN.requests) * 1000).toFixed(2)} ms CPU a request (${seriesPerAgent} samples); late paced requests ${viaN.late} vs ${viaD.late}`,
            );
          // What VictoriaMetrics stored: every sample sent (warm-up included), and each path's series under 100 host names.
          const vmQuery = async (promql: string) =>
            JSON.parse((await get(`http://${mon.address}:${vmPort}/api/v1/query?query=${encodeURIComponent(promql)}`)).body).data
              .result as {
              value: [number, string];
            }[];
          const stored: Record<string, number> = {};
          for (const [mode, path, r] of [
            ["paced", "nginx", pacedNginx],
            ["paced", "direct", pacedDirect],
            ["burst", "nginx", burstNginx],
            ["burst", "direct", burstDirect],
          ] as const) {
            const selector = `{__name__=~"bench_node_metric_.*",path="${path}",phase="${mode}"}`;
            const sent = r.warmupSamples + r.samples;
            let last = 0;
            stored[`${mode}/${path}`] = await until(
              () => `${mode}/${path}: ${sent} samples stored (last count ${last})`,
              30_000,
              async () => {
                last = Number((await vmQuery(`sum(count_over_time(${selector}[1h]))`))[0]?.value[1] ?? 0);
                return last === sent ? last : null;
              },
            );
            const hostsSeen = Number((await vmQuery(`count(count by (host) (${selector}))`))[0]?.value[1] ?? 0);
            if (hostsSeen !== agentCount) throw new Error(`${mode}/${path}: series under ${hostsSeen} host names, not ${agentCount}`);
          }

          console.log(
            `stored in VictoriaMetrics, equal to what was sent: ${Object.entries(stored)
              .map(([k, n]) => `${k} ${n.toLocaleString("en")}`)
              .join(", ")}; each run's series under ${agentCount} host names`,
          );
        } finally {
          await acme.close();
        }
      },
    }),
  );
  console.log(`whole run, test host start to its end: ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

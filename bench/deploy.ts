// Roost beside Ansible (Debian's ansible-core), on the same kind of fresh local test hosts, reaching
// the same end state. For 1 and 3 hosts: first deploy, no-op and one-file change with a kept
// connection (warm), then no-op and one-file change from a cold controller (no kept connection:
// a fresh CI runner). For 16 hosts in parallel (Ansible with forks=16): no-op and one-file change,
// with the controller's peak memory (all its processes) and the CPU the hosts spent per
// activation (all processes of each host, read from outside); and Roost's 16-host no-op against
// one of those hosts deployed alone, alternately. Prints times and ratios side by side.
// Needs root. Usage: node --import tsx bench/deploy.ts [--no-wide]
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Lab } from "../src/testing/lab.ts";
import type { TestHost } from "../src/testing/test-host.ts";
import { writeAnsibleDeploy } from "./peers/ansible-deploy.ts";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const work = path.join(repo, ".roost/bench-deploy");
const wide = !process.argv.includes("--no-wide");

function ensureAnsible(): void {
  if (spawnSync("ansible-playbook", ["--version"]).status === 0) return;
  console.error("installing Debian's ansible-core for the side-by-side run…");
  execFileSync(
    "bash",
    ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ansible-core >/dev/null"],
    { stdio: "inherit" },
  );
}

/** Resident memory of a process and all its descendants, in KiB (from /proc). */
function treeRssKiB(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const pid = Number(entry);
      const ppid = Number(fields[1]);
      // Field 24 of stat (rss) in pages.
      rss.set(pid, Number(fields[21]) * 4);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    total += rss.get(pid) ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return total;
}

interface Timed {
  readonly ms: number;
  /** Peak resident memory of the command and its descendants, sampled every 20 ms (0: not sampled). */
  readonly peakMiB: number;
}

/**
 * The environment both tools run in: this one without NODE_EXTRA_CA_CERTS, which a machine may set
 * for its own package proxy and which makes every Node start read and parse a CA bundle (the cost
 * is measured and printed beside the results). Roost's deploy makes no TLS connection.
 */
const userEnv: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: undefined };

/**
 * Run a command, as its own process tree, to its end: wall time and, when sampled, peak memory.
 * Sampling reads all of /proc every 20 ms, which with 16 test hosts running costs a good part of a
 * core: runs that are timed for the table are not sampled unless their memory is reported too.
 */
function timed(file: string, args: string[], env: NodeJS.ProcessEnv, sampled: boolean): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { cwd: repo, env: { ...userEnv, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let peak = 0;
    const sample = setInterval(() => sampled && (peak = Math.max(peak, treeRssKiB(child.pid!))), 20);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    // "exit", not "close": a kept SSH connection's master inherits nothing, but waiting for it would.
    child.on("exit", (code) => {
      const ms = performance.now() - started;
      clearInterval(sample);
      setTimeout(() => {
        writeFileSync(path.join(work, "last.log"), stdout);
        if (code !== 0)
          reject(new Error(`${path.basename(file)} ${args.join(" ")} failed:\n${(stdout + stderr).split("\n").slice(-25).join("\n")}`));
        else resolve({ ms, peakMiB: peak / 1024 });
      }, 50);
    });
  });
}

/** The test host's init (pid 1 inside it), a child of its systemd-nspawn. */
function hostInit(h: TestHost): number {
  const nspawn = execFileSync("pgrep", ["-f", "--", `--machine=${h.spec.machine}( |$)`], { encoding: "utf8" })
    .trim()
    .split("\n")[0]!;
  return Number(execFileSync("pgrep", ["-P", nspawn], { encoding: "utf8" }).trim().split("\n")[0]!);
}
/**
 * CPU seconds every process of a test host has used: for each live process in its PID namespace,
 * its own time and that of the children it reaped (the test hosts share one cgroup, so no cgroup
 * can tell them apart).
 */
function hostCpuSeconds(init: number): number {
  const ns = readlinkSync(`/proc/${init}/ns/pid`);
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/pid`) !== ns) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const f = stat
        .slice(stat.lastIndexOf(")") + 2)
        .split(" ")
        .map(Number);
      // utime, stime, cutime, cstime: fields 14 to 17 of stat.
      ticks += f[11]! + f[12]! + f[13]! + f[14]!;
    } catch {
      // The process ended while we looked.
    }
  }
  return ticks / 100;
}

ensureAnsible();
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
// Each systemd test host holds a few of the machine's inotify instances (128 per user by default),
// so about 20 run at once: the wide group deploys 16 hosts, Roost's and then Ansible's.
const wideSize = 16;
const sizes = wide ? [1, 3, wideSize] : [1, 3];
const names = (tool: string, n: number, offset: number) => Array.from({ length: n }, (_, i) => `${tool}${offset + i}`);
const groups = sizes.map((n, k) => ({ n, roost: names("r", n, k * 100), ansible: names("a", n, k * 100) }));
type Tool = "roost" | "ansible";

/**
 * Test hosts in labs of four started one after another (two cores boot only a few within their
 * SSH wait; a lab that does not come up is tried again), reached through one ssh_config.
 */
async function startHosts(
  hosts: readonly string[],
): Promise<{ sshConfig: string; host(name: string): TestHost; close(): Promise<unknown> }> {
  const labs: Lab[] = [];
  const close = () => Promise.all(labs.map((l) => l.close()));
  try {
    for (let i = 0; i < hosts.length; i += 4) {
      for (let attempt = 1; ; attempt++) {
        try {
          labs.push(await Lab.start({ hosts: hosts.slice(i, i + 4) }));
          break;
        } catch (e) {
          if (attempt === 3) throw e;
          console.error(`test hosts ${hosts.slice(i, i + 4).join(", ")} did not come up (${e instanceof Error ? e.message : e}); again`);
        }
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  const sshConfig = path.join(work, `ssh_config-${hosts[0]}`);
  writeFileSync(
    sshConfig,
    labs
      .map((l) => readFileSync(l.sshConfig, "utf8").replace(/^Host \*$/m, `Host ${[...l.hosts.values()].map((h) => h.address).join(" ")}`))
      .join("\n"),
  );
  return { sshConfig, host: (name) => labs.find((l) => l.hosts.has(name))!.host(name), close };
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * The run of median wall time among n, unsampled; with `rss`, the peak memory of one more run,
 * sampled (the last run's logs are the ones left to read).
 */
async function medianOf<T extends Timed>(n: number, rss: boolean, run: (sampled: boolean) => Promise<T>): Promise<T> {
  if (n === 1) return run(rss);
  const all: T[] = [];
  for (let i = 0; i < n; i++) all.push(await run(false));
  const median = [...all].sort((x, y) => x.ms - y.ms)[Math.floor(n / 2)]!;
  return rss ? { ...median, peakMiB: (await run(true)).peakMiB } : median;
}

/** Median wall time of `node -e 0` in an environment. */
function nodeStartMs(env: NodeJS.ProcessEnv): number {
  const times = Array.from({ length: 15 }, () => {
    const t = performance.now();
    spawnSync(process.execPath, ["-e", "0"], { env });
    return performance.now() - t;
  });
  return median(times);
}

function median(xs: readonly number[]): number {
  return [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
}
interface Measured extends Timed {
  /** CPU seconds the hosts spent, per host. */
  readonly hostCpu: number;
  readonly roundTrips?: string;
}
const measured = new Map<string, Measured>();
const key = (n: number, step: string, tool: Tool) => `${n}\t${step}\t${tool}`;
const steps: [string, string, boolean][] = [
  ["first deploy", "first", false],
  ["no-op deploy", "first", false],
  ["one-file change", "second", false],
  ["no-op, cold controller", "second", true],
  ["one-file change, cold controller", "third", true],
];
const notes: string[] = [];

/**
 * The wide no-op against the 1-host no-op, measured alternately on the same hosts: one of them
 * alone (a fleet of one), then all of them, and again. The machine's speed drifts over a run of
 * several minutes (test hosts start and stop, and the machine may be shared), so the two are only
 * compared when they ran side by side.
 */
async function measureScaling(
  first: string,
  wideConfig: string,
  hosts: Record<string, unknown>,
  state: string,
  sshConfig: string,
): Promise<{ one: number; many: number }> {
  const oneConfig = path.join(work, "roost-1-of-wide.config.ts");
  writeFileSync(
    oneConfig,
    `import { benchFleet } from "../../bench/fleets/bench-service.ts";\nexport default benchFleet(${JSON.stringify({ [first]: hosts[first] })}, process.env.BENCH_MESSAGE ?? "first");\n`,
  );
  const run = async (config: string) =>
    (
      await timed(
        process.execPath,
        [path.join(repo, "bin/roost.js"), "-c", config, "--ssh-config", sshConfig, "deploy", "-q", "--json", "-j", "16"],
        { BENCH_MESSAGE: "second", ROOST_STATE_DIR: state },
        false,
      )
    ).ms;
  await run(oneConfig);
  const one: number[] = [];
  const many: number[] = [];
  for (let i = 0; i < 9; i++) {
    one.push(await run(oneConfig));
    many.push(await run(wideConfig));
  }
  return { one: median(one), many: median(many) };
}
let scaling: { one: number; many: number } | undefined;

for (const g of groups) {
  const phases: Tool[][] = g.n <= 3 ? [["roost", "ansible"]] : [["roost"], ["ansible"]];
  for (const tools of phases) {
    const lab = await startHosts(tools.flatMap((t) => g[t]));
    try {
      // Roost: the real CLI on a fleet file pointing at this group's hosts.
      const config = path.join(work, `roost-${g.n}.config.ts`);
      const hosts = Object.fromEntries(
        g.roost.filter(() => tools.includes("roost")).map((h) => [h, [`root@${lab.host(h).address}`, lab.host(h).hostKey]]),
      );
      writeFileSync(
        config,
        `import { benchFleet } from "../../bench/fleets/bench-service.ts";\nexport default benchFleet(${JSON.stringify(hosts)}, process.env.BENCH_MESSAGE ?? "first");\n`,
      );
      const warmState = path.join(work, `state-${g.n}`);
      // Cold: a state directory of its own each time, so no connection is kept from before.
      const roost = (message: string, cold: boolean, sampled: boolean) =>
        timed(
          process.execPath,
          [path.join(repo, "bin/roost.js"), "-c", config, "--ssh-config", lab.sshConfig, "deploy", "-q", "--json", "-j", String(g.n)],
          {
            BENCH_MESSAGE: message,
            ROOST_STATE_DIR: cold ? mkdtempSync(path.join(work, "cold-")) : warmState,
          },
          sampled,
        );
      // Ansible: the same end state; cold runs get a fresh ControlPersist directory.
      const a = tools.includes("ansible")
        ? writeAnsibleDeploy(
            path.join(work, `ansible-${g.n}`),
            Object.fromEntries(g.ansible.map((h) => [h, lab.host(h).address])),
            lab.sshConfig,
            g.n,
          )
        : null;
      const warmControl = path.join(work, `ansible-cp-${g.n}`);
      const ansible = (message: string, cold: boolean, sampled: boolean) =>
        timed(
          "ansible-playbook",
          ["-i", a!.inventory, a!.playbook, "-e", `message=${message}`],
          {
            ANSIBLE_CONFIG: a!.cfg,
            ANSIBLE_SSH_CONTROL_PATH_DIR: cold ? mkdtempSync(path.join(work, "ansible-cold-")) : warmControl,
          },
          sampled,
        );
      const inits = Object.fromEntries(tools.map((t) => [t, g[t].map((h) => hostInit(lab.host(h)))])) as Record<Tool, number[]>;
      const withHostCpu = async (tool: Tool, run: () => Promise<Timed>): Promise<Measured> => {
        const before = inits[tool].map(hostCpuSeconds);
        const t = await run();
        const after = inits[tool].map(hostCpuSeconds);
        return { ...t, hostCpu: after.reduce((n, x, i) => n + x - before[i]!, 0) / g.n };
      };
      for (const [step, message, cold] of steps) {
        if (g.n > 3 && cold) continue;
        for (const tool of tools) {
          // The warm no-op is short and noisy: the median of several runs (one of Ansible's on 16 hosts).
          const runs = step !== "no-op deploy" ? 1 : tool === "roost" ? (g.n <= 3 ? 9 : 5) : g.n <= 3 ? 3 : 1;
          // Memory is reported for the wide group.
          const rss = g.n > 3;
          if (tool === "roost") {
            const m = await medianOf(runs, rss, (sampled) => withHostCpu("roost", () => roost(message, cold, sampled)));
            const results = JSON.parse(readFileSync(path.join(work, "last.log"), "utf8")) as {
              host: string;
              status: string;
              roundTrips: number;
            }[];
            measured.set(key(g.n, step, tool), {
              ...m,
              roundTrips: `${results.map((x) => x.roundTrips).join("/")} (${[...new Set(results.map((x) => x.status))].join(", ")})`,
            });
          } else {
            const m = await medianOf(runs, rss, (sampled) => {
              if (existsSync(a!.sshLog)) rmSync(a!.sshLog);
              return withHostCpu("ansible", () => ansible(message, cold, sampled));
            });
            const lines = readFileSync(a!.sshLog, "utf8").trim().split("\n");
            measured.set(key(g.n, step, tool), { ...m, roundTrips: (lines.length / g.n).toFixed(0) });
          }
        }
      }
      if (g.n > 3 && tools.includes("roost")) scaling = await measureScaling(g.roost[0]!, config, hosts, warmState, lab.sshConfig);
      // Both tools reached the same state.
      const final = g.n > 3 ? "second" : "third";
      for (const t of tools)
        for (const h of g[t])
          await lab
            .host(h)
            .succeed(`curl -sf http://127.0.0.1:8090/ | grep -qx ${final} && tree --version >/dev/null && systemctl is-active -q bench`);
    } finally {
      await lab.close();
    }
  }
}

const rows: string[][] = [["hosts", "step", "roost", "ansible", "ratio"]];
for (const g of groups) {
  for (const [step, , cold] of steps) {
    if (g.n > 3 && cold) continue;
    const r = measured.get(key(g.n, step, "roost"))!;
    const an = measured.get(key(g.n, step, "ansible"))!;
    rows.push([String(g.n), step, fmt(r.ms), fmt(an.ms), `${(an.ms / r.ms).toFixed(1)}× faster`]);
    if (step !== "first deploy" && (g.n > 3 || step.startsWith("one-file"))) {
      rows.push([
        String(g.n),
        `  host CPU per ${step.startsWith("no-op") ? "host" : "activation"}`,
        `${r.hostCpu.toFixed(3)} s`,
        `${an.hostCpu.toFixed(3)} s`,
        `${(an.hostCpu / r.hostCpu).toFixed(1)}× less`,
      ]);
    }
    if (g.n > 3 && step !== "first deploy")
      rows.push([
        String(g.n),
        "  controller peak RSS",
        `${r.peakMiB.toFixed(0)} MiB`,
        `${an.peakMiB.toFixed(0)} MiB`,
        `${(an.peakMiB / r.peakMiB).toFixed(1)}× less`,
      ]);
    if (step === "no-op deploy" && g.n <= 3)
      notes.push(`${g.n} host(s), no-op: roost ${r.roundTrips} SSH command(s) per host; ansible ${an.roundTrips} SSH commands per host`);
  }
}
if (scaling)
  notes.push(
    `${wideSize} hosts, no-op: ${(scaling.many / scaling.one).toFixed(1)}× the 1-host no-op (${fmt(scaling.many)} vs ${fmt(scaling.one)}, medians of 9 runs each, alternating on the same hosts)`,
  );
// The machine's speed at the end of the run, to compare runs by: a shared machine's varies.
const plain = nodeStartMs(userEnv);
notes.push(`node -e 0 took ${plain.toFixed(0)} ms at the end of this run (median of 15)`);
if (process.env.NODE_EXTRA_CA_CERTS) {
  const withCerts = nodeStartMs(process.env);
  notes.push(
    `this machine sets NODE_EXTRA_CA_CERTS; both tools ran without it: with it, every Node start (node -e 0) takes ${withCerts.toFixed(0)} ms instead of ${plain.toFixed(0)} ms`,
  );
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));
console.log();
for (const c of notes) console.log(c);
console.log(
  `\ntargets: one-file change on 3 hosts at least 10× faster than Ansible; no-op on 3 hosts at most 0.2 s with the CLI's start; ${wideSize}-host no-op at most 3× the 1-host no-op`,
);

// Roost beside Ansible (Debian's ansible-core), on the same kind of fresh local test hosts, reaching
// the same end state. For 1 and 3 hosts: first deploy, no-op and one-file change with a kept
// connection (warm), then no-op and one-file change from a cold controller (no kept connection:
// a fresh CI runner). For 20 hosts in parallel (Ansible with forks=20): no-op and one-file change,
// with the controller's peak memory (all its processes) and the CPU the hosts spent per
// activation (their cgroups' cpu.stat, read from outside). Prints times and ratios side by side.
// Needs root. Usage: node --import tsx bench/deploy.ts [--no-wide]
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
  execFileSync("bash", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ansible-core >/dev/null"], { stdio: "inherit" });
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
  /** Peak resident memory of the command and its descendants, sampled every 20 ms. */
  readonly peakMiB: number;
}

/** Run a command, as its own process tree, to its end: wall time and peak memory. */
function timed(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { cwd: repo, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, treeRssKiB(child.pid!))), 20);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    // "exit", not "close": a kept SSH connection's master inherits nothing, but waiting for it would.
    child.on("exit", (code) => {
      const ms = performance.now() - started;
      clearInterval(sample);
      setTimeout(() => {
        writeFileSync(path.join(work, "last.log"), stdout);
        if (code !== 0) reject(new Error(`${path.basename(file)} ${args.join(" ")} failed:\n${(stdout + stderr).split("\n").slice(-25).join("\n")}`));
        else resolve({ ms, peakMiB: peak / 1024 });
      }, 50);
    });
  });
}

/** The container's own cgroup (the parent of its init's init.scope), read from this machine. */
function hostCgroup(h: TestHost): string {
  const nspawn = execFileSync("pgrep", ["-f", `--machine=${h.spec.machine}( |$)`], { encoding: "utf8" }).trim().split("\n")[0]!;
  const init = execFileSync("pgrep", ["-P", nspawn], { encoding: "utf8" }).trim().split("\n")[0]!;
  const line = readFileSync(`/proc/${init}/cgroup`, "utf8").split("\n").find((l) => l.startsWith("0::"))!;
  return path.join("/sys/fs/cgroup", path.dirname(line.slice(3)));
}
const cpuSeconds = (cgroup: string) => Number(/^usage_usec (\d+)$/m.exec(readFileSync(path.join(cgroup, "cpu.stat"), "utf8"))![1]) / 1e6;

ensureAnsible();
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const sizes = wide ? [1, 3, 20] : [1, 3];
const names = (tool: string, n: number, offset: number) => Array.from({ length: n }, (_, i) => `${tool}${offset + i}`);
const groups = sizes.map((n, k) => ({ n, roost: names("r", n, k * 100), ansible: names("a", n, k * 100) }));
const lab = await Lab.start({ hosts: groups.flatMap((g) => [...g.roost, ...g.ansible]) });
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
try {
  const rows: string[][] = [["hosts", "step", "roost", "ansible", "ratio"]];
  const notes: string[] = [];
  const noOpOneHost: number[] = [];
  for (const g of groups) {
    // Roost: the real CLI on a fleet file pointing at this group's hosts.
    const config = path.join(work, `roost-${g.n}.config.ts`);
    const hosts = Object.fromEntries(g.roost.map((h) => [h, [`root@${lab.host(h).address}`, lab.host(h).hostKey]]));
    writeFileSync(config, `import { benchFleet } from "../../bench/fleets/bench-service.ts";\nexport default benchFleet(${JSON.stringify(hosts)}, process.env.BENCH_MESSAGE ?? "first");\n`);
    const warmState = path.join(work, `state-${g.n}`);
    // Cold: a state directory of its own each time, so no connection is kept from before.
    const roost = (message: string, cold: boolean) =>
      timed(process.execPath, [path.join(repo, "bin/roost.js"), "-c", config, "--ssh-config", lab.sshConfig, "deploy", "-q", "--json", "-j", String(g.n)], {
        BENCH_MESSAGE: message,
        ROOST_STATE_DIR: cold ? mkdtempSync(path.join(work, "cold-")) : warmState,
      });
    // Ansible: the same end state on the other group; cold runs get a fresh ControlPersist directory.
    const a = writeAnsibleDeploy(path.join(work, `ansible-${g.n}`), Object.fromEntries(g.ansible.map((h) => [h, lab.host(h).address])), lab.sshConfig, g.n);
    const warmControl = path.join(work, `ansible-cp-${g.n}`);
    const ansible = (message: string, cold: boolean) =>
      timed("ansible-playbook", ["-i", a.inventory, a.playbook, "-e", `message=${message}`], {
        ANSIBLE_CONFIG: a.cfg,
        ANSIBLE_SSH_CONTROL_PATH_DIR: cold ? mkdtempSync(path.join(work, "ansible-cold-")) : warmControl,
      });
    const cgroups = { roost: g.roost.map((h) => hostCgroup(lab.host(h))), ansible: g.ansible.map((h) => hostCgroup(lab.host(h))) };
    const hostCpu = async (tool: "roost" | "ansible", run: () => Promise<Timed>): Promise<[Timed, number]> => {
      const before = cgroups[tool].map(cpuSeconds);
      const t = await run();
      const after = cgroups[tool].map(cpuSeconds);
      return [t, after.reduce((n, x, i) => n + x - before[i]!, 0) / g.n];
    };
    const steps: [string, string, boolean][] = [
      ["first deploy", "first", false],
      ["no-op deploy", "first", false],
      ["one-file change", "second", false],
      ["no-op, cold controller", "second", true],
      ["one-file change, cold controller", "third", true],
    ];
    for (const [step, message, cold] of steps) {
      if (g.n === 20 && cold) continue;
      if (step === "no-op deploy" && existsSync(a.sshLog)) rmSync(a.sshLog);
      const [r, rCpu] = await hostCpu("roost", () => roost(message, cold));
      if (step === "no-op deploy") {
        const results = JSON.parse(readFileSync(path.join(work, "last.log"), "utf8")) as { host: string; status: string; roundTrips: number }[];
        if (g.n <= 3) notes.push(`${g.n} host(s), no-op: roost ${results.map((x) => x.roundTrips).join("/")} SSH command(s) per host (${results.map((x) => x.status).join(", ")})`);
        if (g.n === 1) noOpOneHost.push(r.ms);
      }
      const [an, aCpu] = await hostCpu("ansible", () => ansible(message, cold));
      if (step === "no-op deploy" && g.n <= 3) {
        const lines = readFileSync(a.sshLog, "utf8").trim().split("\n");
        notes.push(`${g.n} host(s), no-op: ansible ${(lines.length / g.n).toFixed(0)} SSH commands per host`);
      }
      rows.push([String(g.n), step, fmt(r.ms), fmt(an.ms), `${(an.ms / r.ms).toFixed(1)}× faster`]);
      if (g.n === 20 || step === "one-file change") {
        rows.push([String(g.n), `  host CPU per ${step === "no-op deploy" ? "host" : "activation"}`, `${rCpu.toFixed(3)} s`, `${aCpu.toFixed(3)} s`, `${(aCpu / rCpu).toFixed(1)}× less`]);
      }
      if (g.n === 20 && step !== "first deploy") rows.push([String(g.n), "  controller peak RSS", `${r.peakMiB.toFixed(0)} MiB`, `${an.peakMiB.toFixed(0)} MiB`, `${(an.peakMiB / r.peakMiB).toFixed(1)}× less`]);
      if (g.n === 20 && step === "no-op deploy" && noOpOneHost.length) notes.push(`20 hosts, no-op: ${(r.ms / noOpOneHost[0]!).toFixed(1)}× the 1-host no-op (${fmt(r.ms)} vs ${fmt(noOpOneHost[0]!)})`);
    }
    // Both tools reached the same state.
    const final = g.n === 20 ? "second" : "third";
    for (const h of [...g.roost, ...g.ansible]) await lab.host(h).succeed(`curl -sf http://127.0.0.1:8090/ | grep -qx ${final} && tree --version >/dev/null && systemctl is-active -q bench`);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));
  console.log();
  for (const c of notes) console.log(c);
  console.log("\ntargets: one-file change on 3 hosts at least 10× faster than Ansible; no-op on 3 hosts at most 0.2 s with the CLI's start; 20-host no-op at most 3× the 1-host no-op");
} finally {
  await lab.close();
}

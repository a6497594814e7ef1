// Roost beside Ansible (Debian's ansible-core), on the same kind of fresh local test hosts, reaching
// the same end state: first deploy, no-op deploy, one-file change, for 1 and 3 hosts. Prints times,
// the ratio, and SSH connections per host for the no-op. Needs root. Usage: node --import tsx bench/deploy.ts
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Lab } from "../src/testing/lab.ts";
import { run } from "../src/run-command.ts";
import { writeAnsibleDeploy } from "./peers/ansible-deploy.ts";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const work = path.join(repo, ".roost/bench-deploy");

function ensureAnsible(): void {
  if (spawnSync("ansible-playbook", ["--version"]).status === 0) return;
  console.error("installing Debian's ansible-core for the side-by-side run…");
  execFileSync("bash", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ansible-core >/dev/null"], { stdio: "inherit" });
}

/** Wall time of a command; asynchronous, because this process also serves the hosts' apt proxy. */
async function timed(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const started = performance.now();
  const r = await run(file, args, { cwd: repo, env: { ...process.env, ...env } });
  const ms = performance.now() - started;
  writeFileSync(path.join(work, "last.log"), r.stdout);
  if (r.code !== 0) throw new Error(`${path.basename(file)} ${args.join(" ")} failed:\n${(r.stdout + r.stderr).split("\n").slice(-25).join("\n")}`);
  return ms;
}

ensureAnsible();
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const sizes = [1, 3];
const names = (tool: string, n: number, offset: number) => Array.from({ length: n }, (_, i) => `${tool}${offset + i}`);
const groups = sizes.map((n, k) => ({ n, roost: names("r", n, k * 10), ansible: names("a", n, k * 10) }));
const lab = await Lab.start({ hosts: groups.flatMap((g) => [...g.roost, ...g.ansible]) });
try {
  const rows: string[][] = [["hosts", "step", "roost", "ansible", "ratio"]];
  const connections: string[] = [];
  for (const g of groups) {
    // Roost: the real CLI on a fleet file pointing at this group's hosts.
    const config = path.join(work, `roost-${g.n}.config.ts`);
    const hosts = Object.fromEntries(g.roost.map((h) => [h, [`root@${lab.host(h).address}`, lab.host(h).hostKey]]));
    writeFileSync(config, `import { benchFleet } from "../../bench/fleets/bench-service.ts";\nexport default benchFleet(${JSON.stringify(hosts)}, process.env.BENCH_MESSAGE ?? "first");\n`);
    const roost = (message: string) => timed(process.execPath, [path.join(repo, "bin/roost.js"), "-c", config, "--ssh-config", lab.sshConfig, "deploy", "-q", "--json"], { BENCH_MESSAGE: message });
    // Ansible: the same end state on the other group.
    const a = writeAnsibleDeploy(path.join(work, `ansible-${g.n}`), Object.fromEntries(g.ansible.map((h) => [h, lab.host(h).address])), lab.sshConfig);
    const ansible = (message: string) => timed("ansible-playbook", ["-i", a.inventory, a.playbook, "-e", `message=${message}`], { ANSIBLE_CONFIG: a.cfg });
    const steps: [string, string][] = [["first deploy", "first"], ["no-op deploy", "first"], ["one-file change", "second"]];
    for (const [step, message] of steps) {
      if (step === "no-op deploy" && existsSync(a.sshLog)) rmSync(a.sshLog);
      const r = await roost(message);
      if (step === "no-op deploy") {
        const results = JSON.parse(readFileSync(path.join(work, "last.log"), "utf8")) as { host: string; status: string; roundTrips: number }[];
        connections.push(`${g.n} host(s), no-op: roost ${results.map((x) => x.roundTrips).join("/")} SSH command(s) per host (${results.map((x) => x.status).join(", ")})`);
      }
      const an = await ansible(message);
      if (step === "no-op deploy") {
        const lines = readFileSync(a.sshLog, "utf8").trim().split("\n");
        connections.push(`${g.n} host(s), no-op: ansible ${(lines.length / g.n).toFixed(0)} SSH commands per host`);
      }
      rows.push([String(g.n), step, `${(r / 1000).toFixed(2)} s`, `${(an / 1000).toFixed(2)} s`, `${(an / r).toFixed(1)}× faster`]);
    }
    // Both tools reached the same state.
    for (const h of [...g.roost, ...g.ansible]) await lab.host(h).succeed("curl -sf http://127.0.0.1:8090/ | grep -qx second && tree --version >/dev/null && systemctl is-active -q bench");
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));
  console.log();
  for (const c of connections) console.log(c);
  console.log("\ntargets: no-op at least 10× faster than Ansible, at most 2 round trips per host");
} finally {
  await lab.close();
}

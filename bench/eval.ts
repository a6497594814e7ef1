// Evaluate + build synthetic fleets of 1, 100 and 1000 hosts (ten services each), and a cold start
// of the CLI on 3 hosts; beside each, Ansible (Debian's ansible-core) rendering the same files for
// the same hosts. Prints wall time, peak RSS and the ratio. Usage: node --import tsx bench/eval.ts [--full]
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeAnsibleRender } from "./peers/ansible-render.ts";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const full = process.argv.includes("--full");
const scratch = mkdtempSync(path.join(tmpdir(), "roost-bench-eval-"));

function ensureAnsible(): void {
  if (spawnSync("ansible-playbook", ["--version"]).status === 0) return;
  console.error("installing Debian's ansible-core for the side-by-side run…");
  execFileSync(
    "bash",
    ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ansible-core >/dev/null"],
    { stdio: "inherit" },
  );
}

function roostInProcess(hosts: number): { ms: number; rss: number } {
  const out = execFileSync(process.execPath, ["--import", "tsx", path.join(repo, "bench/eval-child.ts"), String(hosts)], {
    cwd: repo,
    encoding: "utf8",
  });
  const r = JSON.parse(out) as { ms: number; maxRssMiB: number };
  return { ms: r.ms, rss: r.maxRssMiB };
}

/** Wall time of a command that must succeed; its output goes to a log shown only when it fails. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { ms: number } {
  const log = path.join(scratch, "command.log");
  const fd = openSync(log, "w");
  const started = performance.now();
  const r = spawnSync("/usr/bin/env", [cmd, ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: ["ignore", fd, fd] });
  const ms = performance.now() - started;
  closeSync(fd);
  if (r.status !== 0) throw new Error(`${cmd} failed:\n${readFileSync(log, "utf8").split("\n").slice(-30).join("\n")}`);
  return { ms: Math.round(ms) };
}

function ansibleRender(hosts: number): { ms: number } {
  const dir = path.join(scratch, `ansible-${hosts}`);
  const { playbook, inventory } = writeAnsibleRender(dir, hosts);
  return timed("ansible-playbook", ["-i", inventory, playbook, "-e", `out=${path.join(dir, "out")}`, "-f", "2"], {
    ANSIBLE_HOST_KEY_CHECKING: "False",
    ANSIBLE_NOCOLOR: "1",
    ANSIBLE_STDOUT_CALLBACK: "minimal",
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  ensureAnsible();
  const rows: string[][] = [["run", "hosts", "roost", "roost peak RSS", "ansible", "ratio"]];
  // Ansible renders about 15 hosts a second here, so by default it runs the 1-host size only.
  for (const hosts of [1, 100, 1000]) {
    const roost = roostInProcess(hosts);
    const peerHosts = full || hosts === 1 ? hosts : 0;
    const peer = peerHosts ? ansibleRender(peerHosts) : null;
    rows.push([
      "evaluate + build",
      String(hosts),
      `${roost.ms} ms`,
      `${roost.rss} MiB`,
      peer ? `${peer.ms} ms` : "(--full)",
      peer ? `${(peer.ms / roost.ms).toFixed(1)}× faster` : "",
    ]);
  }
  const cold: number[] = [];
  const out = path.join(scratch, "cold");
  for (let i = 0; i < 5; i++)
    cold.push(timed(process.execPath, [path.join(repo, "bin/roost.js"), "build", "-c", "bench/fleets/three.config.ts", "-o", out]).ms);
  const peerCold = median([0, 1, 2].map(() => ansibleRender(3).ms));
  rows.push([
    "cold CLI start (median of 5)",
    "3",
    `${median(cold)} ms`,
    "",
    `${peerCold} ms`,
    `${(peerCold / median(cold)).toFixed(1)}× faster`,
  ]);
  // roost check also runs systemd-analyze verify and nft -c: once per distinct unit set and ruleset.
  for (const hosts of [100, 1000]) {
    const check = timed(process.execPath, [path.join(repo, "bin/roost.js"), "check", "-c", "bench/fleets/wide.config.ts"], {
      ROOST_BENCH_HOSTS: String(hosts),
    });
    rows.push(["roost check (with validators)", String(hosts), `${check.ms} ms`, "", "", ""]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));
  console.log("\ntargets: 1000 hosts < 10 s and < 1 GiB; roost check of 1000 hosts < 60 s; 3 hosts from a cold CLI start < 1 s");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

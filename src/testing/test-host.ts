import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, openSync, closeSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RoostError } from "../core/errors.ts";
import { run, runOk, type CommandResult } from "../run-command.ts";

export interface TestHostSpec {
  /** The host's name inside (its hostname), e.g. "web". */
  readonly name: string;
  /** Unique on this machine; nspawn's veth is "vb-" + machine, at most 15 characters. */
  readonly machine: string;
  readonly address: string;
  readonly gateway: string;
  readonly bridge: string;
  readonly dir: string;
  readonly base: string;
  readonly authorizedKey: string;
  readonly sshConfig: string;
  readonly aptProxy: string | null;
  /** Every host of the lab, this one included: each resolves the others by name (/etc/hosts). */
  readonly peers?: readonly { readonly name: string; readonly address: string }[];
}

/**
 * One real Debian host: systemd as PID 1 and sshd, in a systemd-nspawn container over a
 * copy-on-write overlay of the cached base, with its own network namespace, address and SSH host
 * keys. Commands run over real SSH, as the deploy does.
 */
export class TestHost {
  readonly name: string;
  readonly address: string;
  #child: ChildProcess | null = null;
  #stopping = false;
  #exited: Promise<number> | null = null;
  #hostKey = "";

  constructor(readonly spec: TestHostSpec) {
    this.name = spec.name;
    this.address = spec.address;
  }

  get root(): string {
    return path.join(this.spec.dir, "root");
  }

  /** The host's SSH public host key ("ssh-ed25519 AAAA…"), distinct per host. */
  get hostKey(): string {
    return this.#hostKey;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Prepare the overlay (first time only) and boot; resolves when SSH logins work. */
  async start(timeoutMs = 30_000): Promise<void> {
    await this.prepare();
    this.#boot();
    await this.waitForSsh(timeoutMs);
  }

  /** Mount the overlay and, the first time, give the host its name, address, keys and SSH access. */
  async prepare(): Promise<void> {
    const { dir } = this.spec;
    const upper = path.join(dir, "upper");
    const work = path.join(dir, "work");
    const fresh = !existsSync(upper);
    await mkdir(upper, { recursive: true });
    await mkdir(work, { recursive: true });
    await mkdir(this.root, { recursive: true });
    const mounted = (await run("mountpoint", ["-q", this.root])).code === 0;
    if (!mounted)
      await runOk("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${this.spec.base},upperdir=${upper},workdir=${work}`, this.root]);
    if (fresh) await this.#customise();
    this.#hostKey = (await readFile(path.join(this.root, "etc/ssh/ssh_host_ed25519_key.pub"), "utf8")).split(" ").slice(0, 2).join(" ");
  }

  async #customise(): Promise<void> {
    const r = this.root;
    await writeFile(path.join(r, "etc/hostname"), `${this.name}\n`);
    // Written here rather than by the fleet, so the generations stay those of production.
    const peers = (this.spec.peers ?? []).filter((p) => p.name !== this.name).map((p) => `${p.address} ${p.name}\n`);
    await writeFile(
      path.join(r, "etc/hosts"),
      `127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n127.0.1.1 ${this.name}\n${peers.join("")}`,
    );
    const dropIn = path.join(r, "etc/systemd/network/80-container-host0.network.d");
    await mkdir(dropIn, { recursive: true });
    await writeFile(path.join(dropIn, "addr.conf"), `[Network]\nAddress=${this.address}/24\nGateway=${this.spec.gateway}\n`);
    await mkdir(path.join(r, "root/.ssh"), { recursive: true, mode: 0o700 });
    await writeFile(path.join(r, "root/.ssh/authorized_keys"), `${this.spec.authorizedKey}\n`, { mode: 0o600 });
    if (this.spec.aptProxy)
      await writeFile(path.join(r, "etc/apt/apt.conf.d/01roost-test-proxy"), `Acquire::http::Proxy "${this.spec.aptProxy}";\n`);
    await runOk("ssh-keygen", ["-A", "-f", r]);
  }

  #boot(): void {
    const log = openSync(path.join(this.spec.dir, "console.log"), "a");
    const child = spawn(
      "systemd-nspawn",
      [
        "--quiet",
        "--boot",
        `--directory=${this.root}`,
        `--machine=${this.spec.machine}`,
        `--network-bridge=${this.spec.bridge}`,
        "--register=no",
        "--keep-unit",
        "--console=passive",
        "--resolv-conf=off",
        "--timezone=off",
      ],
      { detached: true, stdio: ["ignore", log, log] },
    );
    closeSync(log);
    this.#child = child;
    this.#stopping = false;
    this.#exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        const status = code ?? (signal ? 128 : 1);
        // 133: the host rebooted itself; boot it again on the same overlay, as a machine would.
        if (status === 133 && !this.#stopping && this.#child === child) this.#boot();
        resolve(status);
      });
    });
  }

  /** Poll port 22 every 50 ms, then confirm with a real key login. */
  async waitForSsh(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await portOpen(this.address, 22)) && (await this.ssh("true", { timeoutSeconds: 5 })).code === 0) return;
      await sleep(50);
    }
    throw new Error(`${this.name}: no SSH after ${timeoutMs / 1000} s (console: ${path.join(this.spec.dir, "console.log")})`);
  }

  /** Run a shell command on the host over SSH. */
  ssh(command: string, opts: { input?: string; timeoutSeconds?: number } = {}): Promise<CommandResult> {
    const args = ["-F", this.spec.sshConfig, "-o", `ConnectTimeout=${opts.timeoutSeconds ?? 10}`, this.address, command];
    return run("ssh", args, { input: opts.input });
  }

  /** Run a command that must succeed; resolves to its stdout. */
  async succeed(command: string): Promise<string> {
    const r = await this.ssh(command);
    if (r.code !== 0) throw new CommandFailed(this.name, command, `failed with ${r.code}`, r);
    return r.stdout;
  }

  /** Run a command that must fail; resolves to its stderr and stdout. */
  async fail(command: string): Promise<string> {
    const r = await this.ssh(command);
    if (r.code === 0) throw new CommandFailed(this.name, command, "succeeded but should have failed", r);
    return r.stdout + r.stderr;
  }

  /** Retry a command until it succeeds. */
  async waitUntilSucceeds(command: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last: CommandResult | null = null;
    let attempts = 0;
    while (Date.now() < deadline) {
      last = await this.ssh(command);
      attempts++;
      if (last.code === 0) return last.stdout;
      await sleep(200);
    }
    const how = `did not succeed within ${timeoutMs / 1000} s (${attempts} attempts; the last exited ${last?.code ?? "—"})`;
    throw new CommandFailed(this.name, command, how, last);
  }

  waitForUnit(unit: string, timeoutMs = 30_000): Promise<string> {
    return this.waitUntilSucceeds(`systemctl is-active --quiet ${shellQuote(unit)}`, timeoutMs);
  }

  /**
   * Wait until a process on the host listens on a TCP port, as seen inside the host (as NixOS
   * tests do): the host's firewall does not matter. waitForReachablePort checks from outside.
   */
  async waitForOpenPort(port: number, timeoutMs = 30_000): Promise<void> {
    const listening = `ss -Htln ${shellQuote(`sport = :${port}`)} | grep -q .`;
    const deadline = Date.now() + timeoutMs;
    let last: CommandResult | null = null;
    while (Date.now() < deadline) {
      last = await this.ssh(listening);
      if (last.code === 0) return;
      await sleep(100);
    }
    throw new CommandFailed(this.name, listening, `found nothing listening on TCP port ${port} within ${timeoutMs / 1000} s`, last);
  }

  /** Wait until the machine running the test connects to a TCP port of the host, through its firewall. */
  async waitForReachablePort(port: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await portOpen(this.address, port)) return;
      await sleep(100);
    }
    throw new RoostError(
      `${this.name}: TCP port ${port} not reachable from this machine within ${timeoutMs / 1000} s`,
      [],
      "if a process listens there (waitForOpenPort), check the host's firewall (networking.firewall)",
    );
  }

  /** Take the host's link down on the machine's side: it keeps running, unreachable. */
  async cutNetwork(): Promise<void> {
    await runOk("ip", ["link", "set", `vb-${this.spec.machine}`, "down"]);
  }

  async restoreNetwork(): Promise<void> {
    await runOk("ip", ["link", "set", `vb-${this.spec.machine}`, "up"]);
  }

  /** Power the host off cleanly (SIGTERM to nspawn), then SIGKILL after 10 s. Its disk is kept. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.#stopping = true;
    child.kill("SIGTERM");
    const timer = new AbortController();
    const exited = await Promise.race([this.#exited!.then(() => true), sleep(10_000, false, { signal: timer.signal }).catch(() => false)]);
    timer.abort();
    if (!exited) {
      child.kill("SIGKILL");
      await this.#exited;
    }
  }

  /** Stop, unmount and delete the host. */
  async destroy(): Promise<void> {
    await this.stop();
    await run("umount", [this.root]);
    if ((await run("mountpoint", ["-q", this.root])).code === 0) await run("umount", ["-l", this.root]);
    await rm(this.spec.dir, { recursive: true, force: true });
  }
}

/**
 * A command on a test host that did not do what the scenario expected: the command, how it ended,
 * and the end of what it printed.
 */
export class CommandFailed extends RoostError {
  constructor(host: string, command: string, how: string, result: CommandResult | null) {
    super(`${host}: \`${command}\` ${how}`, result ? outputLines(result) : []);
    this.name = "CommandFailed";
  }
}

const shownLines = 20;

function outputLines(r: CommandResult): string[] {
  if (r.stdout.trim() === "" && r.stderr.trim() === "") return ["it printed nothing"];
  const lines: string[] = [];
  for (const [name, text] of [
    ["stdout", r.stdout],
    ["stderr", r.stderr],
  ] as const) {
    const all = text.replace(/\n$/, "").split("\n");
    if (text.trim() === "") continue;
    const tail = all.slice(-shownLines);
    lines.push(`${name}${all.length > tail.length ? ` (last ${tail.length} of ${all.length} lines)` : ""}:`, ...tail.map((l) => `  ${l}`));
  }
  return lines;
}

export function portOpen(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_.:@%+=/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

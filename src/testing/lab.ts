import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import type http from "node:http";
import path from "node:path";
import { startAptProxy } from "./apt-proxy.ts";
import { basePackages, debianMirror, ensureBaseImage } from "./image.ts";
import { claimSubnet, isAlive, labRoot, releaseSubnet, type Subnet } from "./network.ts";
import { runOk } from "../run-command.ts";
import { TestHost } from "./test-host.ts";

export interface LabOptions {
  /** Host names (at most 12 characters), e.g. ["web", "db"]. */
  readonly hosts: readonly string[];
  /** Packages of the base image (the default suits Roost's own tests). */
  readonly packages?: readonly string[];
}

const aptProxyPort = 3142;

/**
 * A set of real test hosts on one bridge, with the SSH key, known_hosts and ssh_config to reach
 * them. Everything it creates is torn down by close(), and by an exit hook when a test or the
 * process dies first; runs left by a killed process are cleaned when the next lab starts.
 */
export class Lab {
  readonly hosts: ReadonlyMap<string, TestHost>;
  #closed = false;
  readonly #unhook: () => void;

  private constructor(
    readonly dir: string,
    readonly subnet: Subnet,
    hosts: Map<string, TestHost>,
    readonly sshConfig: string,
    readonly identity: string,
    readonly knownHosts: string,
    readonly proxy: http.Server | null,
  ) {
    this.hosts = hosts;
    const emergency = () => this.#closeNow();
    const onSignal = (signal: NodeJS.Signals) => {
      this.#closeNow();
      process.exit(128 + (signal === "SIGINT" ? 2 : 15));
    };
    process.on("exit", emergency);
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    this.#unhook = () => {
      process.off("exit", emergency);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    };
  }

  static async start(opts: LabOptions): Promise<Lab> {
    for (const name of opts.hosts)
      if (!/^[a-z][a-z0-9-]{0,11}$/.test(name))
        throw new Error(`test host name ${JSON.stringify(name)}: a-z, 0-9, -, at most 12 characters`);
    cleanStaleRuns();
    const base = await ensureBaseImage(opts.packages ?? basePackages);
    const dir = path.join(labRoot, "runs", `${process.pid}-${Date.now().toString(36)}`);
    await mkdir(dir, { recursive: true });
    writeFileSync(path.join(dir, "owner"), String(process.pid));
    const subnet = await claimSubnet();
    writeFileSync(path.join(dir, "subnet"), String(subnet.index));
    const identity = path.join(dir, "id_ed25519");
    await runOk("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "roost-test", "-f", identity]);
    const knownHosts = path.join(dir, "known_hosts");
    const sshConfig = path.join(dir, "ssh_config");
    writeFileSync(
      sshConfig,
      [
        "Host *",
        "  User root",
        `  IdentityFile ${identity}`,
        "  IdentitiesOnly yes",
        `  UserKnownHostsFile ${knownHosts}`,
        "  StrictHostKeyChecking yes",
        "  BatchMode yes",
        "  LogLevel ERROR",
        "",
      ].join("\n"),
    );
    const mirrorHost = new URL(debianMirror()).hostname;
    const proxy = await startAptProxy(subnet.gateway, aptProxyPort, [mirrorHost, "security.debian.org"]);
    const authorizedKey = readFileSync(`${identity}.pub`, "utf8").trim();
    const hosts = new Map<string, TestHost>();
    const peers = opts.hosts.map((name, i) => ({ name, address: subnet.hostAddress(i) }));
    opts.hosts.forEach((name, i) => {
      hosts.set(
        name,
        new TestHost({
          name,
          machine: `r${subnet.index}h${i}`,
          address: subnet.hostAddress(i),
          gateway: subnet.gateway,
          bridge: subnet.bridge,
          dir: path.join(dir, "hosts", name),
          base,
          authorizedKey,
          sshConfig,
          aptProxy: `http://${subnet.gateway}:${aptProxyPort}`,
          peers,
        }),
      );
    });
    const lab = new Lab(dir, subnet, hosts, sshConfig, identity, knownHosts, proxy);
    try {
      await Promise.all([...hosts.values()].map((h) => h.prepare()));
      writeFileSync(knownHosts, [...hosts.values()].map((h) => `${h.address} ${h.hostKey}\n`).join(""));
      await Promise.all([...hosts.values()].map((h) => h.start()));
      lab.#recordPids();
    } catch (e) {
      await lab.close();
      throw e;
    }
    return lab;
  }

  host(name: string): TestHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no test host named ${name}`);
    return h;
  }

  /** Remember nspawn PIDs on disk, so that a later run can clean up after a killed one. */
  #recordPids(): void {
    writeFileSync(
      path.join(this.dir, "pids"),
      [...this.hosts.values()]
        .map((h) => h.pid)
        .filter(Boolean)
        .join("\n"),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unhook();
    await Promise.all([...this.hosts.values()].map((h) => h.destroy()));
    await new Promise<void>((resolve) => (this.proxy ? this.proxy.close(() => resolve()) : resolve()));
    await releaseSubnet(this.subnet);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous teardown for exit paths where nothing can be awaited. */
  #closeNow(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unhook();
    this.proxy?.close();
    teardownRun(this.dir);
  }
}

/** Stop a run's hosts, unmount their overlays, drop its bridge and files; synchronous. */
function teardownRun(dir: string): void {
  const pids = existsSync(path.join(dir, "pids")) ? readFileSync(path.join(dir, "pids"), "utf8").split("\n").filter(Boolean) : [];
  const subnet = existsSync(path.join(dir, "subnet")) ? readFileSync(path.join(dir, "subnet"), "utf8").trim() : null;
  const script = [
    ...pids.map((pid) => `kill -TERM ${Number(pid)} 2>/dev/null`),
    `for i in $(seq 100); do alive=0; for p in ${pids.map(Number).join(" ")}; do kill -0 $p 2>/dev/null && alive=1; done; [ $alive = 0 ] && break; sleep 0.1; done`,
    ...pids.map((pid) => `kill -KILL ${Number(pid)} 2>/dev/null`),
    `for m in ${JSON.stringify(dir)}/hosts/*/root; do mountpoint -q "$m" && umount -l "$m"; done`,
    subnet ? `ip link del roostbr${Number(subnet)} 2>/dev/null; rm -f ${JSON.stringify(path.join(labRoot, "subnets", subnet))}` : "true",
    `rm -rf ${JSON.stringify(dir)}`,
  ].join("\n");
  spawnSync("sh", ["-c", script], { stdio: "ignore" });
}

/** Runs whose owning process is gone (killed test runs) are torn down before a new one starts. */
export function cleanStaleRuns(): void {
  const runs = path.join(labRoot, "runs");
  if (!existsSync(runs)) return;
  for (const name of readdirSync(runs)) {
    const dir = path.join(runs, name);
    const owner = Number(existsSync(path.join(dir, "owner")) ? readFileSync(path.join(dir, "owner"), "utf8") : "0");
    if (!owner || !isAlive(owner)) teardownRun(dir);
  }
}

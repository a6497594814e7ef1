import { start } from "../run-command.ts";
import type { Command, Proc } from "../start-all.ts";
import { createHash } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { RoostError } from "../core/index.ts";
import type { SshAddress } from "./address.ts";
import { hostToolsVersion, installScript, shellQuote, verbEnvironment, type HostVerb } from "./host-scripts.ts";
import { layout } from "./protocol.ts";

export interface SshSettings {
  /** A private directory (mode 0700) for control sockets and pinned host keys. */
  readonly stateDir: string;
  /**
   * Keep each host's connection open for a while after the command ends, so the next roost
   * command skips the SSH handshake (as Ansible's ControlPersist does). Off: close it at the end.
   */
  readonly persist?: boolean;
  /** An ssh_config file to use instead of ~/.ssh/config (-F). */
  readonly configFile?: string;
  readonly connectTimeoutSeconds?: number;
}

/**
 * The exit code of a command that found the host's entry point missing or of another version
 * (before it read anything from stdin): the command is sent again with the install script.
 */
export const toolsMissing = 86;

/** The login is root: builtins where the login shell has them (bash's EUID), so a round trip forks less. */
const loginIsRoot = `[ "\${EUID:-$(id -u)}" = 0 ]`;

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A stream that can feed a command's stdin (Node's or streamx's). */
export interface Pipeable {
  pipe(destination: NodeJS.WritableStream): unknown;
}

export interface ExecOptions {
  readonly input?: string | Buffer | Pipeable;
  /** Called for each line of stdout as it arrives. */
  readonly onLine?: (line: string) => void;
  /** Open a new connection instead of the shared one (confirmation must prove a fresh login works). */
  readonly fresh?: boolean;
}

/**
 * One host, reached with the system's OpenSSH client: the user's ssh_config, agent and known_hosts
 * apply, and one multiplexed connection carries every command. A host key given in the fleet is
 * pinned: only that key is accepted. Every command is a bash script sent with its arguments quoted,
 * so no value is ever spliced into script text.
 */
export class SshTarget {
  /** Commands run so far: each is one round trip over the shared connection. */
  roundTrips = 0;
  readonly #baseArgs: string[];
  readonly #controlPath: string;
  /** Records that this host has this version of the entry point: commands then skip its install script. */
  readonly #toolsRecord: string;
  /** The record as last read or written by this target. */
  #toolsSeen: boolean | undefined;

  constructor(
    readonly host: string,
    readonly address: SshAddress,
    hostKey: string | undefined,
    readonly settings: SshSettings,
  ) {
    // One socket per destination, pinned key and ssh_config: a reused address with a new key (a
    // rebuilt host) never rides an old connection.
    const id = createHash("sha256")
      .update(JSON.stringify([address.destination, hostKey ?? "", settings.configFile ?? ""]))
      .digest("hex")
      .slice(0, 16);
    this.#controlPath = path.join(settings.stateDir, `cm-${id}`);
    this.#toolsRecord = path.join(settings.stateDir, `tools-${id}`);
    const args = [
      "-o",
      "BatchMode=yes",
      "-o",
      `ConnectTimeout=${settings.connectTimeoutSeconds ?? 10}`,
      "-o",
      "ServerAliveInterval=5",
      "-o",
      "ServerAliveCountMax=3",
    ];
    if (settings.configFile) args.unshift("-F", settings.configFile);
    if (hostKey) {
      const knownHosts = path.join(settings.stateDir, `known_hosts-${id}`);
      pinKey(knownHosts, `roost-${host} ${hostKey.trim()}\n`);
      args.push(
        "-o",
        `HostKeyAlias=roost-${host}`,
        "-o",
        `UserKnownHostsFile=${knownHosts}`,
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        "StrictHostKeyChecking=yes",
      );
    }
    this.#baseArgs = args;
  }

  #args(fresh: boolean, remote: string): string[] {
    // The fresh login only proves that logging in still works and carries no data, so it prefers
    // the cheapest key exchange: the post-quantum default costs a loaded host about 0.3 s of CPU.
    const mux = fresh
      ? ["-o", "ControlMaster=no", "-o", "ControlPath=none", "-o", "KexAlgorithms=^curve25519-sha256"]
      : ["-o", "ControlMaster=auto", "-o", `ControlPath=${this.#controlPath}`, "-o", `ControlPersist=${this.settings.persist ? 120 : 30}`];
    return [...this.#baseArgs, ...mux, "--", this.address.destination, remote];
  }

  /**
   * The remote command line. Every verb runs the host's entry point (as root, or with sudo -n when
   * the login is not root, which ssh_config may decide, so the host tells). A host not known to have
   * this version of it (no record in the state directory) gets the install script inline, which
   * needs root or full sudo once; after that, a deploy user needs sudo for the entry point only
   * (`roost hosts bootstrap`), and a command is a few hundred bytes instead of 30 KB. A host that
   * lost it anyway answers `toolsMissing`, and the command is sent again with the install.
   */
  #remote(verb: HostVerb, args: readonly string[]): string {
    const run = [layout.entryPoint, verb, ...args].map(shellQuote).join(" ");
    // Root runs the verb's script as the entry point would, one process sooner.
    const direct = [...verbEnvironment, `${layout.entryDir}/scripts/${verb}.sh`, ...args].map(shellQuote).join(" ");
    const known = this.#toolsKnown();
    const install = known ? "" : ["bash", "-c", installScript()].map(shellQuote).join(" ");
    return [
      `v=; read -r v 2>/dev/null < ${layout.entryDir}/version`,
      `if [ "$v" != ${hostToolsVersion} ]; then`,
      known
        ? `  echo "roost: ${layout.entryPoint} is not version ${hostToolsVersion}" >&2; exit ${toolsMissing}`
        : [
            `  if ${loginIsRoot}; then ${install}; else sudo -n ${install}; fi ||`,
            `  { echo "roost: cannot install ${layout.entryPoint} (version ${hostToolsVersion}): the login needs root or full sudo once (roost hosts bootstrap)" >&2; exit 70; }`,
          ].join("\n"),
      `fi`,
      `if ${loginIsRoot}; then exec ${direct}; else exec sudo -n ${run}; fi`,
    ].join("\n");
  }

  #toolsKnown(): boolean {
    if (this.#toolsSeen === undefined) {
      try {
        this.#toolsSeen = readFileSync(this.#toolsRecord, "utf8") === hostToolsVersion;
      } catch {
        this.#toolsSeen = false;
      }
    }
    return this.#toolsSeen;
  }

  /** After a command ends: it ran this version of the entry point, or found it missing. */
  #noteTools(code: number | null): void {
    if (code === toolsMissing) {
      rmSync(this.#toolsRecord, { force: true });
      this.#toolsSeen = false;
    } else if (code !== null && code !== 255 && code !== 70) this.toolsAnswered();
  }

  /** A verb's script answered: the host has this version of the entry point. */
  toolsAnswered(): void {
    if (this.#toolsKnown()) return;
    writeFileSync(this.#toolsRecord, hostToolsVersion, { mode: 0o600 });
    this.#toolsSeen = true;
  }

  /** Start a verb of the host's entry point; the caller owns the process (for the lock session that stays open). */
  spawn(verb: HostVerb, args: readonly string[], opts: { fresh?: boolean } = {}): Proc {
    const { file, args: argv } = this.command(verb, args, opts);
    return this.started(start(file, argv));
  }

  /** The ssh command line of a verb, for starting several hosts' commands at once (startAll). */
  command(verb: HostVerb, args: readonly string[], opts: { fresh?: boolean } = {}): Command {
    return { file: "ssh", args: this.#args(opts.fresh ?? false, this.#remote(verb, args)) };
  }

  /** A command of this target's, started: it counts as a round trip, and its exit tells about the entry point. */
  started(child: Proc): Proc {
    this.roundTrips++;
    child.on("exit", (code: number | null) => this.#noteTools(code));
    return child;
  }

  /** Run a script as root (the login is root, or has full sudo): for installing the entry point. */
  execAsRoot(script: string, args: readonly string[] = []): Promise<ExecResult> {
    const command = ["bash", "-c", script, "roost", ...args].map(shellQuote).join(" ");
    this.roundTrips++;
    return this.#collect(start("ssh", this.#args(false, `if ${loginIsRoot}; then exec ${command}; else exec sudo -n ${command}; fi`)), {});
  }

  /**
   * Run a script to its end. Exit code 255 (ssh could not connect) is an error naming the host. A
   * host that lost its entry point gets it again, and the command once more (when its input can be
   * sent twice).
   */
  async exec(verb: HostVerb, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.#collect(this.spawn(verb, args, { fresh: opts.fresh }), opts);
    const again = opts.input === undefined || typeof opts.input === "string" || Buffer.isBuffer(opts.input);
    return r.code === toolsMissing && again ? this.#collect(this.spawn(verb, args, { fresh: opts.fresh }), opts) : r;
  }

  #collect(child: Proc, opts: ExecOptions): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      let partial = "";
      child.stdout!.on("data", (d: Buffer) => {
        const text = d.toString("utf8");
        stdout += text;
        if (!opts.onLine) return;
        partial += text;
        const lines = partial.split("\n");
        partial = lines.pop()!;
        for (const l of lines) opts.onLine(l);
      });
      child.stderr!.on("data", (d) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => {
        if (partial && opts.onLine) opts.onLine(partial);
        if (code === 255) reject(this.unreachable(stderr));
        else resolve({ code: code ?? 1, stdout, stderr });
      });
      child.stdin!.on("error", () => {});
      const input = opts.input;
      if (input === undefined || typeof input === "string" || Buffer.isBuffer(input)) child.stdin!.end(input ?? "");
      else input.pipe(child.stdin!);
    });
  }

  unreachable(stderr: string): RoostError {
    const reason = stderr.trim().split("\n").filter(Boolean).pop() ?? "ssh exited with 255";
    const hint = /Host key verification failed|REMOTE HOST IDENTIFICATION/.test(stderr)
      ? "the host's key differs from the one pinned in the fleet (hostKey) or in known_hosts; check the host before trusting a new key"
      : undefined;
    return new RoostError(`cannot reach ${this.host} (${this.address.destination})`, [reason], hint);
  }

  /** End the shared connection, unless it is meant to persist. */
  async close(): Promise<void> {
    if (this.roundTrips === 0 || this.settings.persist) return;
    await new Promise<void>((resolve) => {
      const child = start(
        "ssh",
        [...this.#baseArgs, "-o", `ControlPath=${this.#controlPath}`, "-O", "exit", "--", this.address.destination],
        "ignore",
      );
      child.on("close", () => resolve());
      child.on("error", () => resolve());
    });
  }
}

export { shellQuote };

/**
 * Write a pinned key only when it changed, and by renaming a whole file into place: rewriting an
 * ext4 file in place flushes it (about a millisecond each, on the controller's one thread), and an
 * ssh of another roost command never reads it half written.
 */
function pinKey(file: string, line: string): void {
  try {
    if (readFileSync(file, "utf8") === line) return;
  } catch {}
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, line, { mode: 0o600 });
  renameSync(tmp, file);
}

import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import type { Readable, Writable } from "node:stream";
import { start } from "./run-command.ts";

/** A started program, as its callers use it: a ChildProcess, or one of several started together. */
export interface Proc extends EventEmitter {
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly exitCode: number | null;
  kill(signal?: NodeJS.Signals): boolean;
  unref(): void;
}

export interface Command {
  readonly file: string;
  readonly args: readonly string[];
}

/** What one launcher's argument list may hold; Linux allows 2 MiB for arguments and environment together. */
const argumentBudget = 512 * 1024;

/**
 * Start several programs, each with its own stdin, stdout and stderr, with one fork of Node.
 *
 * Node's spawn returns only once the child has exec'd: each is a fork of a large process, then a
 * wait until the new child is scheduled, behind the children started before it. Starting an ssh
 * session per host that way cost a 16-host deploy 5 to 20 ms per host on its one thread. Here one
 * bash gets every program's three pipes and starts them all; it reports each one's pid and exit
 * status on a control pipe. A single command is spawned directly.
 */
export function startAll(commands: readonly Command[]): Proc[] {
  const out: Proc[] = [];
  let chunk: Command[] = [];
  let size = 0;
  const flush = () => {
    if (chunk.length === 1) out.push(start(chunk[0]!.file, chunk[0]!.args));
    else if (chunk.length > 1) out.push(...launch(chunk));
    chunk = [];
    size = 0;
  };
  for (const c of commands) {
    const bytes = [c.file, ...c.args].reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
    if (chunk.length > 0 && size + bytes > argumentBudget) flush();
    chunk.push(c);
    size += bytes;
  }
  flush();
  return out;
}

// Positional parameters: the number of commands, then each command as its word count and words.
// Command i gets fds 4+3i (stdin), 5+3i (stdout) and 6+3i (stderr), and only those: each one's
// subshell closes the fds of the commands after it (the launcher has closed those before it), so a
// program's stdout ends when that program does. Fd 3 carries "pid I PID" and "exit I STATUS".
const launcherScript = `
n=$1; shift
last=$((3 + 3 * n))
for ((i = 0; i < n; i++)); do
  c=$1; shift
  cmd=("\${@:1:c}"); shift "$c"
  a=$((4 + 3 * i)); b=$((a + 1)); e=$((a + 2))
  (
    close=""
    for ((f = e + 1; f <= last; f++)); do close+=" $f>&-"; done
    eval "exec $close"
    "\${cmd[@]}" <&"$a" >&"$b" 2>&"$e" 3>&- &
    pid=$!
    eval "exec $a<&- $b>&- $e>&-"
    echo "pid $i $pid" >&3
    wait "$pid"
    echo "exit $i $?" >&3
  ) &
  eval "exec $a<&- $b>&- $e>&-"
done
exec 3>&-
wait
`;

function launch(commands: readonly Command[]): Proc[] {
  const args = [String(commands.length)];
  for (const c of commands) args.push(String(c.args.length + 1), c.file, ...c.args);
  const stdio: ("pipe" | "ignore")[] = ["ignore", "ignore", "pipe", "pipe"];
  for (let i = 0; i < commands.length; i++) stdio.push("pipe", "pipe", "pipe");
  const launcher = spawn("bash", ["-c", launcherScript, "roost-launch", ...args], { stdio });
  const control = launcher.stdio[3] as Readable;
  // Node waits for the launcher only while some program it started is still wanted.
  let wanted = commands.length;
  const letGo = () => {
    if (--wanted > 0) return;
    for (const handle of [launcher, control, launcher.stderr]) (handle as { unref?: () => void } | null)?.unref?.();
  };
  const procs = commands.map((c, i) => new Launched(launcher, i, c.file, letGo));
  let complaint = "";
  launcher.stderr!.on("data", (d) => (complaint += d));
  let partial = "";
  control.on("data", (d: Buffer) => {
    partial += d.toString("utf8");
    const lines = partial.split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      const [kind, index, value] = line.split(" ");
      const proc = procs[Number(index)];
      if (kind === "pid") proc?.started(Number(value));
      else if (kind === "exit") proc?.exited(Number(value));
    }
  });
  launcher.on("error", (e) => {
    for (const p of procs) p.notStarted(e.message);
  });
  // Every program has been reported by the time the launcher's pipes close; one that was not never ran.
  launcher.on("close", () => {
    for (const p of procs) p.notStarted(complaint.trim() || "the launcher ended first");
  });
  return procs;
}

/** One program of a launch: pipes of its own, and the pid and exit status the launcher reports. */
class Launched extends EventEmitter implements Proc {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  exitCode: number | null = null;
  #pid: number | undefined;
  #pendingSignal: NodeJS.Signals | undefined;
  #openStreams = 2;
  #closed = false;
  #letGo: (() => void) | undefined;

  constructor(
    launcher: ChildProcess,
    index: number,
    readonly file: string,
    letGo: () => void,
  ) {
    super();
    this.#letGo = letGo;
    this.stdin = launcher.stdio[4 + 3 * index] as Writable;
    this.stdout = launcher.stdio[5 + 3 * index] as Readable;
    this.stderr = launcher.stdio[6 + 3 * index] as Readable;
    for (const s of [this.stdout, this.stderr])
      s.once("close", () => {
        this.#openStreams--;
        this.#maybeClose();
      });
  }

  started(pid: number): void {
    this.#pid = pid;
    if (this.#pendingSignal) this.kill(this.#pendingSignal);
  }

  exited(code: number): void {
    if (this.exitCode !== null) return;
    this.exitCode = code;
    this.emit("exit", code, null);
    this.#maybeClose();
  }

  /** The launcher could not run it: an error, as a spawn that fails gives. */
  notStarted(why: string): void {
    if (this.exitCode !== null) return;
    this.emit("error", new Error(`could not start ${this.file}: ${why}`));
    this.exited(255);
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): boolean {
    if (this.exitCode !== null) return false;
    if (this.#pid === undefined) {
      this.#pendingSignal = signal;
      return true;
    }
    try {
      process.kill(this.#pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  unref(): void {
    for (const s of [this.stdin, this.stdout, this.stderr]) (s as { unref?: () => void }).unref?.();
    this.#release();
  }

  /** Closed or unref'd: the launcher need not be waited for on this one's account. */
  #release(): void {
    this.#letGo?.();
    this.#letGo = undefined;
  }

  #maybeClose(): void {
    if (this.#closed || this.exitCode === null || this.#openStreams > 0) return;
    this.#closed = true;
    this.#release();
    this.emit("close", this.exitCode, null);
  }
}

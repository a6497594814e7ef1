import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  /** stdout as the program wrote it, for output that is not text (decrypted secrets). */
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
}

/** Start a program whose stdin, stdout and stderr the caller streams (ssh sessions); `ignore` for none. */
export function start(file: string, args: readonly string[], stdio: "pipe" | "ignore" = "pipe"): ChildProcess {
  return spawn(file, args, { stdio: [stdio, stdio, stdio] });
}

/** Run a program to completion and collect its output; never throws for a non-zero exit. */
export function run(file: string, args: readonly string[], opts: SpawnOptions & { input?: string | Buffer } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...opts, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => out.push(d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code: code ?? (signal ? 128 : 1), stdout: stdoutBytes.toString("utf8"), stdoutBytes, stderr });
    });
    child.stdin!.on("error", () => {});
    child.stdin!.end(opts.input ?? "");
  });
}

/** Like run, but a non-zero exit is an error that shows the command and its stderr. */
export async function runOk(file: string, args: readonly string[], opts: SpawnOptions & { input?: string | Buffer } = {}): Promise<string> {
  const r = await run(file, args, opts);
  if (r.code !== 0) throw new Error(`${file} ${args.join(" ")} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** The absolute path of a program on PATH (or in the sbin directories), or null. */
export function findTool(name: string): string | null {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin"];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

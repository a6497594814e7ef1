import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const roostBin = path.join(repoRoot, "bin/roost.js");

export interface RoostRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the real `roost` command, as a user would, in `cwd` (the repository by default). */
export function runRoost(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RoostRun {
  const r = spawnSync(process.execPath, [roostBin, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    encoding: "utf8",
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** runRoost without blocking this process (which may serve test hosts' apt proxy meanwhile). */
export async function runRoostAsync(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RoostRun> {
  const { run } = await import("../../src/run-command.ts");
  const r = await run(process.execPath, [roostBin, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
  });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

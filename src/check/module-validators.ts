import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { HostGeneration } from "../build/generation.ts";
import { sha256 } from "../host/rendered.ts";
import type { Finding, Skipped } from "./finding.ts";
import { findTool, run } from "../run-command.ts";

const validator = "validators";

/** What the verdict depends on: the commands and every file's content. */
export function moduleValidatorsKey(gen: HostGeneration): string {
  if (Object.keys(gen.validators).length === 0) return "none";
  const files = Object.entries(gen.manifest.files)
    .map(([p, f]) => `${p}\0${f.sha256}`)
    .sort();
  return sha256([JSON.stringify(gen.validators), ...files].join("\n"));
}

/**
 * Run each validators.<name> command of a generation in a directory holding the generation's files
 * (without their leading /). A non-zero exit is an error naming the validator and its output; a
 * program that is not installed is said, once per program.
 */
export async function runModuleValidators(gen: HostGeneration): Promise<{ findings: Finding[]; skipped?: Skipped }> {
  const entries = Object.entries(gen.validators).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return { findings: [] };
  const missing = new Map<string, string | null>();
  const runnable = entries.filter(([, v]) => {
    if (findTool(v.command[0]!)) return true;
    missing.set(v.command[0]!, v.package);
    return false;
  });
  const findings: Finding[] = [];
  if (runnable.length > 0) {
    const dir = await mkdtemp(path.join(tmpdir(), "roost-validators-"));
    try {
      for (const f of gen.files.values()) {
        if (f.download) continue;
        const target = path.join(dir, f.path);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, f.content);
      }
      for (const [name, v] of runnable) {
        const result = await run(findTool(v.command[0]!)!, v.command.slice(1), { cwd: dir });
        if (result.code !== 0) {
          const output = `${result.stdout}${result.stderr}`.replaceAll(`${dir}/`, "/").trim();
          findings.push({ level: "error", validator: `${validator}.${name}`, message: `${v.command.join(" ")} failed:\n${output}` });
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  if (missing.size === 0) return { findings };
  const reason = [...missing].map(([program, pkg]) => `${program} is not installed${pkg ? ` (apt-get install ${pkg})` : ""}`).join("; ");
  return {
    findings,
    skipped: {
      validator: `${validator} (${entries
        .filter(([, v]) => missing.has(v.command[0]!))
        .map(([n]) => n)
        .join(", ")})`,
      reason,
    },
  };
}

import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { HostGeneration } from "../build/generation.ts";
import { unitDir } from "../host/systemd/render.ts";
import type { Finding, Skipped } from "./finding.ts";
import { findTool, run } from "../run-command.ts";

const validator = "systemd-analyze verify";

/** Problems systemd itself reports in a unit: these fail the check. */
const errorPatterns = [
  /Unknown key/i,
  /Unknown section/i,
  /Failed to parse/i,
  /Invalid/i,
  /Missing '='/i,
  /bad-setting/i,
  /Unknown lvalue/i,
  /has no ExecStart/i,
  /unit file .* is not valid/i,
];
/** What only the target host can satisfy: binaries and units from packages it will install. */
const hostOnlyPatterns = [/is not executable/i, /No such file or directory/i, /not found/i, /Failed to create/i];

/** Run systemd's own unit parser over every unit of a generation. */
export async function verifyUnits(gen: HostGeneration): Promise<{ findings: Finding[]; skipped?: Skipped }> {
  const tool = findTool("systemd-analyze");
  if (!tool) return { findings: [], skipped: { validator, reason: "systemd-analyze is not installed (apt-get install systemd)" } };
  const units = [...gen.files.values()].filter((f) => path.dirname(f.path) === unitDir);
  if (units.length === 0) return { findings: [] };
  const dir = await mkdtemp(path.join(tmpdir(), "roost-verify-"));
  try {
    const unitPath = path.join(dir, "units");
    await mkdir(unitPath);
    const files = [];
    for (const u of units) {
      const file = path.join(unitPath, path.basename(u.path));
      await writeFile(file, u.content);
      files.push(file);
    }
    const result = await run(tool, ["verify", "--man=no", ...files], {
      env: { ...process.env, SYSTEMD_LOG_COLOR: "0", SYSTEMD_UNIT_PATH: `${unitPath}:` },
    });
    const shipped = new Set([...gen.files.values()].filter((f) => /[1357]/.test(f.mode)).map((f) => f.path));
    return { findings: classify(result.stdout + result.stderr, unitPath, shipped) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Sort systemd's messages; a command that the generation itself ships as an executable is fine. */
function classify(output: string, unitPath: string, shipped: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  for (const raw of output.split("\n")) {
    const line = raw.replaceAll(unitPath + "/", "").trim();
    if (!line) continue;
    const command = /Command (\S+) is not executable/.exec(line)?.[1];
    if (command && shipped.has(command)) continue;
    if (errorPatterns.some((p) => p.test(line)) && !hostOnlyPatterns.some((p) => p.test(line)))
      findings.push({ level: "error", validator, message: line });
    else findings.push({ level: "note", validator, message: line });
  }
  return findings;
}

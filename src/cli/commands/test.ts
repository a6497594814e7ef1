import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { formatLocation, RoostError, type SourceLocation } from "../../core/index.ts";
import { mapStack } from "../../core/source-map.ts";
import { packageRoot } from "../../package-root.ts";
import { baseImageReady } from "../../testing/image.ts";
import { runScenario, type Scenario } from "../../testing/scenario.ts";
import { importUserModule } from "../compile-fleet.ts";
import type { GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";
import { formatError } from "../report.ts";

/** Run a scenario file on fresh test hosts; exit non-zero when the story fails. */
export async function testCommand(file: string, opts: GlobalOptions): Promise<number> {
  const mod = (await importUserModule(file)) as { default?: Scenario };
  const s = mod.default;
  if (!s || typeof s.test !== "function" || !s.fleet)
    throw new RoostError(
      `${file} does not export a scenario`,
      [],
      "end it with `export default scenario({ fleet, async test({ hosts, deploy }) { … } })`",
    );
  if (!baseImageReady()) console.error("building the Debian 12 base image for test hosts: once, about a minute");
  const started = Date.now();
  try {
    await runScenario(s);
  } catch (e) {
    const failure = opts.debug ? e : scenarioFailure(e, path.resolve(file));
    console.error(`✗ ${s.name ?? file} (${((Date.now() - started) / 1000).toFixed(1)} s)\n${formatError(failure, opts.debug)}`);
    return exitCodes.failed;
  }
  console.log(`✓ ${s.name ?? file} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return exitCodes.ok;
}

/**
 * The error as a RoostError that ends with the line of the scenario that failed, read from the
 * stack (source-mapped), so that no stack trace is needed to find it.
 */
function scenarioFailure(e: unknown, scenarioFile: string): RoostError {
  const err = e instanceof Error ? e : new Error(String(e));
  const base =
    err instanceof RoostError ? err : new RoostError(err.message.split("\n")[0]!, err.message.split("\n").slice(1), undefined, err);
  const at = failingLine(mapStack(err.stack ?? ""), scenarioFile);
  if (!at) return base;
  const source = readFileSync(at.file, "utf8").split("\n")[at.line - 1]?.trim();
  return new RoostError(
    base.headline,
    [...base.details, `at ${formatLocation(at)}${source ? `: ${source}` : ""}`],
    base.hint,
    base.cause ?? err,
  );
}

const framePattern = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?$/;

/** The first frame in the scenario file; else the first one in the user's files outside Roost. */
function failingLine(stack: string, scenarioFile: string): SourceLocation | null {
  const frames: SourceLocation[] = [];
  for (const line of stack.split("\n")) {
    if (!/^\s+at /.test(line)) continue;
    const m = framePattern.exec(line.trim());
    if (!m) continue;
    const file = m[1]!.startsWith("file://") ? fileURLToPath(m[1]!) : m[1]!;
    frames.push({ file, line: Number(m[2]), column: Number(m[3]) });
  }
  const ours = (f: string) =>
    f.startsWith("node:") ||
    f.includes(`${path.sep}node_modules${path.sep}`) ||
    f.startsWith(path.join(packageRoot, "src") + path.sep) ||
    f.startsWith(path.join(packageRoot, "dist") + path.sep) ||
    f.startsWith(path.join(packageRoot, "bin") + path.sep);
  return frames.find((f) => f.file === scenarioFile) ?? frames.find((f) => !ours(f.file) && path.isAbsolute(f.file)) ?? null;
}

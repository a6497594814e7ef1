import { RoostError } from "../../core/index.ts";
import { runScenario, type Scenario } from "../../testing/scenario.ts";
import { importUserModule } from "../compile-fleet.ts";
import type { GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";
import { formatError } from "../report.ts";

/** Run a scenario file on fresh test hosts; exit non-zero when the story fails. */
export async function testCommand(file: string, opts: GlobalOptions): Promise<number> {
  const mod = (await importUserModule(file)) as { default?: Scenario };
  const s = mod.default;
  if (!s || typeof s.test !== "function" || !s.fleet) throw new RoostError(`${file} does not export a scenario`, [], "end it with `export default scenario({ fleet, async test({ hosts, deploy }) { … } })`");
  const started = Date.now();
  try {
    await runScenario(s);
  } catch (e) {
    console.error(`✗ ${s.name ?? file} (${((Date.now() - started) / 1000).toFixed(1)} s)\n${formatError(e, opts.debug)}`);
    return exitCodes.failed;
  }
  console.log(`✓ ${s.name ?? file} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return exitCodes.ok;
}

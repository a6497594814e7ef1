import path from "node:path";
import { buildHosts } from "../../build/fleet.ts";
import { writeGeneration } from "../../build/write.ts";
import { openFleet, type GlobalOptions } from "../context.ts";
import { formatError, formatWarning } from "../report.ts";
import { exitCodes } from "../exit-codes.ts";

export async function buildCommand(hosts: string[], opts: GlobalOptions & { out: string }): Promise<number> {
  const fleet = await openFleet(opts, hosts);
  let failed = 0;
  for (const b of buildHosts(fleet, hosts)) {
    if ("error" in b) {
      failed++;
      console.error(`${b.host}: build failed\n${formatError(b.error, opts.debug)}\n`);
      continue;
    }
    const gen = b.generation;
    for (const w of gen.warnings) console.error(formatWarning(`${b.host}: ${w}`));
    const dir = path.join(opts.out, b.host);
    await writeGeneration(gen, dir);
    const m = gen.manifest;
    console.log(
      `${b.host.padEnd(12)} ${gen.id}  ${count(m.files, "file")}, ${count(m.units, "unit")}, ${count(m.packages, "package")}, ${count(m.users, "user")} → ${dir}`,
    );
  }
  return failed ? exitCodes.failed : exitCodes.ok;
}

export function count(collection: object, noun: string): string {
  const n = Array.isArray(collection) ? collection.length : Object.keys(collection).length;
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

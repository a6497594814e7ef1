import { buildHosts } from "../../build/fleet.ts";
import { ansiColours, formatPlan, noColours } from "../../deploy/format-plan.ts";
import { planOneHost } from "../../deploy/plan-host.ts";
import { openFleet, reachableHost, type GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";
import { formatError } from "../report.ts";
import { withSsh } from "../ssh-state.ts";

/** Show, for each host, what a deploy would change and what was changed there by hand. */
export async function planCommand(hosts: string[], opts: GlobalOptions & { json: boolean; sshConfig?: string }): Promise<number> {
  const fleet = await openFleet(opts, hosts);
  const colours = process.stdout.isTTY && !process.env.NO_COLOR ? ansiColours() : noColours;
  let failed = 0;
  const plans: unknown[] = [];
  await withSsh(opts.sshConfig, async (ssh) => {
    const results = await Promise.all(
      buildHosts(fleet, hosts).map(async (b) => {
        if ("error" in b) return { host: b.host, error: b.error };
        try {
          return { host: b.host, ...(await planOneHost(b.host, reachableHost(fleet, b.host), b.generation, ssh)) };
        } catch (error) {
          return { host: b.host, error };
        }
      }),
    );
    for (const r of results) {
      if ("error" in r) {
        failed++;
        if (opts.json) plans.push({ host: r.host, error: formatError(r.error, false) });
        else console.error(`${r.host}: cannot plan\n${formatError(r.error, opts.debug)}\n`);
      } else if (opts.json) plans.push({ ...r.plan, diffs: r.diffs });
      else console.log(formatPlan(r.plan, r.diffs, colours) + "\n");
    }
  });
  if (opts.json) console.log(JSON.stringify(plans, null, 2));
  return failed ? exitCodes.failed : exitCodes.ok;
}

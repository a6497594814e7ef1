import { buildHosts } from "../../build/fleet.ts";
import { deployFleet, summaryTable } from "../../deploy/deploy-fleet.ts";
import { openFleet, type GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";
import { formatError } from "../report.ts";
import { withSsh } from "../ssh-state.ts";
import { planCommand } from "./plan.ts";

export interface DeployOptions extends GlobalOptions {
  readonly jobs: number;
  readonly dryRun: boolean;
  readonly confirmTimeout?: number;
  readonly quiet: boolean;
  readonly sshConfig?: string;
  readonly json: boolean;
}

/** Build, then deploy every named host in parallel; print a summary; fail if any host failed. */
export async function deployCommand(hosts: string[], opts: DeployOptions): Promise<number> {
  if (opts.dryRun) return planCommand(hosts, opts);
  const fleet = await openFleet(opts, hosts);
  const builds = buildHosts(fleet, hosts);
  for (const b of builds) if ("error" in b) console.error(`${b.host}: build failed\n${formatError(b.error, opts.debug)}\n`);
  const results = await withSsh(opts.sshConfig, (ssh) =>
    deployFleet(fleet.fleet, builds, { ssh, jobs: opts.jobs, confirmTimeout: opts.confirmTimeout, progress: opts.quiet || opts.json ? "quiet" : "live" }),
  );
  if (opts.json) console.log(JSON.stringify(results.map(({ plan: _plan, ...r }) => r), null, 2));
  else console.log(`\n${summaryTable(results)}`);
  return results.some((r) => r.status === "failed") ? exitCodes.failed : exitCodes.ok;
}

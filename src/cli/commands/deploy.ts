import { buildHosts, type HostBuild } from "../../build/fleet.ts";
import { deployFleet, summaryTable } from "../../deploy/deploy-fleet.ts";
import type { Host } from "../../host/fleet.ts";
import { openFleet, reachableHost, selectHosts, type GlobalOptions } from "../context.ts";
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
  /** Host names and @tags, from --on. */
  readonly on?: readonly string[];
}

/** Build, then deploy every selected host in parallel; print a summary; fail if any host failed. */
export async function deployCommand(selectors: string[], opts: DeployOptions): Promise<number> {
  const fleet = await openFleet(opts);
  const hosts = selectHosts(fleet, [...selectors, ...(opts.on ?? [])]);
  if (opts.dryRun) return planCommand(hosts, opts);
  const reachable: Record<string, Host> = {};
  const builds = buildHosts(fleet, hosts).map((b): HostBuild => {
    if ("error" in b) return b;
    try {
      reachable[b.host] = reachableHost(fleet, b.host);
      return b;
    } catch (error) {
      return { host: b.host, error };
    }
  });
  for (const b of builds) if ("error" in b) console.error(`${b.host}: build failed\n${formatError(b.error, opts.debug)}\n`);
  const results = await withSsh(opts.sshConfig, (ssh) =>
    deployFleet({ ...fleet.fleet, hosts: reachable }, builds, { ssh, jobs: opts.jobs, confirmTimeout: opts.confirmTimeout, progress: opts.quiet || opts.json ? "quiet" : "live" }),
  );
  if (opts.json) console.log(JSON.stringify(results.map(({ plan: _plan, ...r }) => r), null, 2));
  else console.log(`\n${summaryTable(results)}`);
  return results.some((r) => r.status === "failed") ? exitCodes.failed : exitCodes.ok;
}

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildHosts, type HostBuild } from "../../build/fleet.ts";
import { RoostError } from "../../core/index.ts";
import { deployFleet, summaryTable, timingsTable } from "../../deploy/deploy-fleet.ts";
import type { HostResult } from "../../deploy/deploy-host.ts";
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
  /** Print where the time went, per host and phase. */
  readonly timings?: boolean;
  /** Deploy only the hosts that failed or were unreachable in the last deploy. */
  readonly retryFailed?: boolean;
}

/** What the last deploy left to retry, beside the fleet file (.roost/ is ignored by git). */
interface LastDeploy {
  readonly finished: string;
  readonly failed: string[];
}

const lastDeployFile = (opts: GlobalOptions) => path.join(path.dirname(path.resolve(opts.config)), ".roost", "last-deploy.json");

function readLastDeploy(opts: GlobalOptions): LastDeploy {
  const file = lastDeployFile(opts);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new RoostError(
      "--retry-failed: no deploy has been recorded for this fleet",
      [`${file} does not exist`],
      "run roost deploy first",
    );
  }
  const last = JSON.parse(text) as LastDeploy;
  if (!Array.isArray(last.failed) || !last.failed.every((h) => typeof h === "string"))
    throw new RoostError(`--retry-failed: ${file} is not a deploy record`);
  return last;
}

function writeLastDeploy(opts: GlobalOptions, results: readonly HostResult[]): void {
  const file = lastDeployFile(opts);
  mkdirSync(path.dirname(file), { recursive: true });
  const record: LastDeploy = {
    finished: new Date().toISOString(),
    failed: results.filter((r) => r.status === "failed").map((r) => r.host),
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** Build, then deploy every selected host in parallel; print a summary; fail if any host failed. */
export async function deployCommand(selectors: string[], opts: DeployOptions): Promise<number> {
  // Time since this process started: the CLI's own start, before the fleet is read.
  const cliStart = performance.now();
  const fleet = await openFleet(opts);
  let hosts = selectHosts(fleet, [...selectors, ...(opts.on ?? [])]);
  if (opts.retryFailed) {
    const failed = new Set(readLastDeploy(opts).failed);
    hosts = hosts.filter((h) => failed.has(h));
    if (hosts.length === 0) {
      if (!opts.json) console.log("nothing to retry: no host failed in the last deploy");
      return exitCodes.ok;
    }
  }
  if (opts.dryRun) return planCommand(hosts, opts);
  const evaluated = performance.now();
  const targets = new Map(
    hosts.map((h): [string, Host | { error: unknown }] => {
      try {
        return [h, reachableHost(fleet, h)];
      } catch (error) {
        return [h, { error }];
      }
    }),
  );
  const reachable = Object.fromEntries([...targets].filter((e): e is [string, Host] => !("error" in e[1])));
  let built = evaluated;
  const build = () => {
    const builds = buildHosts(fleet, hosts).map((b): HostBuild => {
      const target = targets.get(b.host)!;
      return "error" in b || !("error" in target) ? b : { host: b.host, error: target.error };
    });
    built = performance.now();
    for (const b of builds) if ("error" in b) console.error(`${b.host}: build failed\n${formatError(b.error, opts.debug)}\n`);
    return builds;
  };
  const results = await withSsh(opts.sshConfig, (ssh) =>
    deployFleet({ ...fleet.fleet, hosts: reachable }, build, {
      ssh,
      jobs: opts.jobs,
      confirmTimeout: opts.confirmTimeout,
      progress: opts.quiet || opts.json ? "quiet" : "live",
    }),
  );
  const retried = opts.retryFailed ? new Set(hosts) : null;
  // A retry keeps, as failed, the hosts of the last record it was not asked to deploy again.
  const kept = retried ? readLastDeploy(opts).failed.filter((h) => !retried.has(h)) : [];
  writeLastDeploy(opts, [...results, ...kept.map((host) => ({ host, status: "failed" }) as HostResult)]);
  const fleetPhases = [
    { phase: "CLI start", ms: Math.round(cliStart) },
    { phase: "evaluate", ms: Math.round(evaluated - cliStart) },
    { phase: "build", ms: Math.round(built - evaluated) },
  ];
  if (opts.json)
    console.log(
      JSON.stringify(
        results.map(({ plan: _plan, ...r }) => r),
        null,
        2,
      ),
    );
  else {
    console.log(`\n${summaryTable(results)}`);
    if (opts.timings) console.log(`\n${timingsTable(results, fleetPhases)}`);
    const failed = results.filter((r) => r.status === "failed");
    if (failed.length)
      console.log(
        `\n${failed.length} host${failed.length === 1 ? "" : "s"} failed or unreachable; to deploy only those again:\n  roost deploy --retry-failed`,
      );
  }
  return results.some((r) => r.status === "failed") ? exitCodes.failed : exitCodes.ok;
}

import { RoostError } from "../core/index.ts";
import type { Host } from "../host/fleet.ts";
import { sshTarget } from "./deploy-host.ts";
import { parseReport, type HostReport } from "./protocol.ts";
import type { SshSettings } from "./ssh.ts";

/** One host as `roost status` sees it: its report, or why there is none. */
export interface HostStatusReport {
  readonly host: string;
  readonly reachable: boolean;
  /** Why the host could not be asked, or could not answer. */
  readonly error: string | null;
  readonly report: HostReport | null;
  /** Failed units or failing checks (an unreachable host counts too). */
  readonly healthy: boolean;
  readonly roundTrips: number;
  readonly seconds: number;
}

/** Ask one host for its report: one round trip over its kept connection. */
export async function reportHost(name: string, host: Host | Error, settings: SshSettings): Promise<HostStatusReport> {
  const started = Date.now();
  const result = (extra: Pick<HostStatusReport, "reachable" | "error" | "report">, roundTrips: number): HostStatusReport => ({
    host: name,
    ...extra,
    healthy: extra.report !== null && extra.report.down.length === 0 && extra.report.checks.every((c) => c.result !== "failed"),
    roundTrips,
    seconds: (Date.now() - started) / 1000,
  });
  if (host instanceof Error) return result({ reachable: false, error: message(host), report: null }, 0);
  const ssh = sshTarget(name, host, settings);
  try {
    const r = await ssh.exec("report", []);
    if (r.code !== 0) {
      const reason = r.stdout.split("\n").find((l) => l.startsWith("error "))?.slice(6) ?? (r.stderr.trim() || `report exited ${r.code}`);
      return result({ reachable: true, error: `${name}: cannot read the host's state: ${reason}`, report: null }, ssh.roundTrips);
    }
    return result({ reachable: true, error: null, report: parseReport(r.stdout.split("\n")) }, ssh.roundTrips);
  } catch (e) {
    return result({ reachable: false, error: message(e), report: null }, ssh.roundTrips);
  } finally {
    await ssh.close();
  }
}

/** Every host at once: a slow or unreachable one delays none of the others. */
export function reportHosts(hosts: readonly (readonly [string, Host | Error])[], settings: SshSettings): Promise<HostStatusReport[]> {
  return Promise.all(hosts.map(([name, host]) => reportHost(name, host, settings)));
}

function message(e: unknown): string {
  if (e instanceof RoostError) return [e.headline, ...e.details].join(": ");
  return e instanceof Error ? e.message : String(e);
}

import { RoostError } from "../core/index.ts";
import type { Host } from "../host/fleet.ts";
import { sshTarget } from "./deploy-host.ts";
import { parseReport, type HostReport } from "./protocol.ts";
import { startAll, type Proc } from "../start-all.ts";
import { type SshSettings, type SshTarget, toolsMissing } from "./ssh.ts";

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

/** A host's report command, started beside the others' (startAll). */
interface StartedReport {
  readonly ssh: SshTarget;
  readonly child: Proc;
}

/** Ask one host for its report: one round trip over its kept connection. */
export async function reportHost(
  name: string,
  host: Host | Error,
  settings: SshSettings,
  begun?: StartedReport,
): Promise<HostStatusReport> {
  const started = Date.now();
  const result = (extra: Pick<HostStatusReport, "reachable" | "error" | "report">, roundTrips: number): HostStatusReport => ({
    host: name,
    ...extra,
    healthy: extra.report !== null && extra.report.down.length === 0 && extra.report.checks.every((c) => c.result !== "failed"),
    roundTrips,
    seconds: (Date.now() - started) / 1000,
  });
  if (host instanceof Error) return result({ reachable: false, error: message(host), report: null }, 0);
  const ssh = begun?.ssh ?? sshTarget(name, host, settings);
  try {
    let r = await runReport(ssh, begun?.child);
    // The host lost its entry point: once more, with the install.
    if (r.code === toolsMissing) r = await runReport(ssh);
    if (r.code !== 0) {
      const reason =
        r.stdout
          .split("\n")
          .find((l) => l.startsWith("error "))
          ?.slice(6) ??
        (r.stderr.trim() || `report exited ${r.code}`);
      return result({ reachable: true, error: `${name}: cannot read the host's state: ${reason}`, report: null }, ssh.roundTrips);
    }
    return result({ reachable: true, error: null, report: parseReport(r.stdout.split("\n")) }, ssh.roundTrips);
  } catch (e) {
    return result({ reachable: false, error: message(e), report: null }, ssh.roundTrips);
  } finally {
    await ssh.close();
  }
}

/**
 * Run report.sh. Its first line comes at once: none within the connect timeout (a host that went
 * away behind a kept connection, which ssh notices only later) is an unreachable host.
 */
function runReport(ssh: SshTarget, child = ssh.spawn("report", [])): Promise<{ code: number; stdout: string; stderr: string }> {
  const waitSeconds = ssh.settings.connectTimeoutSeconds ?? 10;
  child.stdin!.on("error", () => {});
  child.stdin!.end();
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const noAnswer = setTimeout(() => {
      child.kill();
      // A multiplexed client hands its pipes to the connection's master, which holds them until it
      // notices the host is gone: stop waiting for them now.
      for (const stream of [child.stdin!, child.stdout!, child.stderr!]) stream.destroy();
      reject(ssh.unreachable(`no answer within ${waitSeconds} s`));
    }, waitSeconds * 1000);
    child.stdout!.on("data", (d: Buffer) => {
      clearTimeout(noAnswer);
      stdout += d.toString("utf8");
    });
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", (e) => {
      clearTimeout(noAnswer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(noAnswer);
      if (code === 255) reject(ssh.unreachable(stderr));
      else resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Every host at once, their commands started together: a slow or unreachable one delays none of the others. */
export function reportHosts(hosts: readonly (readonly [string, Host | Error])[], settings: SshSettings): Promise<HostStatusReport[]> {
  const targets = hosts.flatMap(([name, host]) => (host instanceof Error ? [] : [sshTarget(name, host, settings)]));
  const children = startAll(targets.map((ssh) => ssh.command("report", [])));
  const begun = new Map(targets.map((ssh, i) => [ssh.host, { ssh, child: ssh.started(children[i]!) }]));
  return Promise.all(hosts.map(([name, host]) => reportHost(name, host, settings, begun.get(name))));
}

function message(e: unknown): string {
  if (e instanceof RoostError) return [e.headline, ...e.details].join(": ");
  return e instanceof Error ? e.message : String(e);
}

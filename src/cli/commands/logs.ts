import { fleetHostName, journalSince, streamLogs, unitName } from "../../deploy/logs.ts";
import type { JournalOutput } from "../../deploy/protocol.ts";
import { openFleet, reachableHost, UsageError, type GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";
import { withSsh } from "../ssh-state.ts";

export interface LogsOptions extends GlobalOptions {
  readonly follow: boolean;
  readonly since?: string;
  readonly lines?: number;
  readonly output: JournalOutput;
  /** Read the journals every host shipped to the monitoring server, there. */
  readonly fleet?: boolean;
  /** With fleet: only this host's journal. */
  readonly host?: string;
  /** With fleet: only this unit (the positional unit otherwise). */
  readonly unit?: string;
}

/** A host's journal (of one unit, or all of it) streamed to stdout; -f follows until Ctrl-C. */
export async function logsCommand(host: string | undefined, unit: string | undefined, opts: LogsOptions): Promise<number> {
  if (opts.fleet === true) {
    if (host !== undefined || unit !== undefined)
      throw new UsageError("--fleet takes no host or unit argument", [], "e.g. roost logs --fleet --host tiger --unit nginx");
    return logsCommandAt(null, opts.unit, opts);
  }
  if (opts.host !== undefined || opts.unit !== undefined)
    throw new UsageError(
      "--host and --unit go with --fleet",
      [],
      "e.g. roost logs web nginx, or roost logs --fleet --host web --unit nginx",
    );
  if (host === undefined) throw new UsageError("name a host, or --fleet", [], "e.g. roost logs web nginx");
  return logsCommandAt(host, unit, opts);
}

/** host null: the monitoring server's copy of every host's journal (of opts.host, or all). */
async function logsCommandAt(host: string | null, unit: string | undefined, opts: LogsOptions): Promise<number> {
  // Checked before anything else, so a bad argument never reaches the host.
  let checkedUnit: string | null = null;
  if (unit !== undefined) {
    const u = unitName(unit);
    if ("why" in u)
      throw new UsageError(`not a unit name: ${JSON.stringify(unit)}`, [u.why], "e.g. roost logs web nginx.service (or nginx)");
    checkedUnit = u.unit;
  }
  let since: string | null = null;
  if (opts.since !== undefined) {
    since = journalSince(opts.since);
    if (since === null)
      throw new UsageError(`--since: not a duration or a time: ${JSON.stringify(opts.since)}`, [
        "a duration back from now: 30s, 10m, 1h, 2d, 1w; or a time: 2025-01-31, 2025-01-31 14:00, 2025-01-31T14:00:05",
      ]);
  }
  if (host === null && opts.host !== undefined && !fleetHostName(opts.host))
    throw new UsageError(`--host: not a host name: ${JSON.stringify(opts.host)}`);
  const fleet = await openFleet(opts, host === null ? (opts.host === undefined ? [] : [opts.host]) : [host]);
  let name = host;
  if (name === null) {
    // A host without the monitoring module has no such option: reading it would throw.
    const servers = [...fleet.hosts].filter(
      ([, ev]) =>
        "monitoring" in ev.config && (ev.config as { monitoring?: { server?: { enable?: boolean } } }).monitoring?.server?.enable === true,
    );
    if (servers.length !== 1)
      throw new UsageError("--fleet reads the monitoring server's journals, but no host of the fleet has monitoring.server.enable");
    name = servers[0]![0];
  }
  const target = reachableHost(fleet, name);
  return withSsh(opts.sshConfig, async (ssh) => {
    const stream = streamLogs(
      name,
      target,
      ssh,
      {
        unit: checkedUnit,
        since,
        lines: opts.lines ?? null,
        follow: opts.follow,
        output: opts.output,
        fleet: host === null ? (opts.host ?? "*") : null,
      },
      process.stdout,
    );
    const onSignal = () => stream.stop();
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      await stream.done;
      return exitCodes.ok;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });
}

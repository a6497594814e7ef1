import { journalSince, streamLogs, unitName } from "../../deploy/logs.ts";
import type { JournalOutput } from "../../deploy/protocol.ts";
import { openFleet, reachableHost, UsageError, type GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";
import { withSsh } from "../ssh-state.ts";

export interface LogsOptions extends GlobalOptions {
  readonly follow: boolean;
  readonly since?: string;
  readonly lines?: number;
  readonly output: JournalOutput;
}

/** A host's journal (of one unit, or all of it) streamed to stdout; -f follows until Ctrl-C. */
export async function logsCommand(host: string, unit: string | undefined, opts: LogsOptions): Promise<number> {
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
  const fleet = await openFleet(opts, [host]);
  const target = reachableHost(fleet, host);
  return withSsh(opts.sshConfig, async (ssh) => {
    const stream = streamLogs(
      host,
      target,
      ssh,
      { unit: checkedUnit, since, lines: opts.lines ?? null, follow: opts.follow, output: opts.output },
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

import type { HostBuild } from "../build/fleet.ts";
import type { Fleet } from "../host/fleet.ts";
import { cancelHost, deployHost, startHosts, type DeploySettings, type HostResult } from "./deploy-host.ts";

export interface FleetDeployOptions extends Omit<DeploySettings, "onPhase" | "slot"> {
  /** Hosts that send and activate at once (every host takes its lock and reports at once). */
  readonly jobs: number;
  /** "live": one updating line per host on a terminal, lines otherwise; "quiet": nothing. */
  readonly progress: "live" | "quiet";
}

/**
 * Deploy the fleet's hosts in parallel, a bounded number at a time. Each host is asked for its lock
 * and state first, so those round trips run while `build` builds the generations. A host that
 * fails to build or to deploy never stops the others; every host gets a result.
 */
export async function deployFleet(fleet: Fleet, build: () => readonly HostBuild[], opts: FleetDeployOptions): Promise<HostResult[]> {
  const hosts = Object.entries(fleet.hosts);
  const begun = startHosts(hosts, opts.ssh);
  const started = new Map(hosts.map(([name], i) => [name, begun[i]!]));
  const builds = build();
  const built = new Set(builds.filter((b) => !("error" in b)).map((b) => b.host));
  await Promise.all([...started].filter(([name]) => !built.has(name)).map(([, begun]) => cancelHost(begun)));
  const results = new Map<string, HostResult>();
  const slot = semaphore(Math.max(1, opts.jobs));
  const tasks = builds.map((b) => ({
    title: `${b.host}  waiting`,
    task: async (_ctx: unknown, task: { title: string }) => {
      if ("error" in b) {
        results.set(b.host, buildFailure(b.host, b.error));
        task.title = `${b.host}  build failed`;
        throw new Error(`${b.host}: build failed`);
      }
      const r = await deployHost(
        b.host,
        fleet.hosts[b.host]!,
        b.generation,
        { ...opts, slot, onPhase: (phase) => (task.title = `${b.host}  ${phase}`) },
        started.get(b.host),
      );
      results.set(b.host, r);
      task.title = `${b.host}  ${describe(r)}`;
      if (r.status === "failed") throw new Error(`${b.host}: ${r.error}`);
    },
  }));
  if (opts.progress === "quiet") {
    await Promise.all(tasks.map((t) => t.task(undefined, { title: t.title }).catch(() => undefined)));
  } else {
    // The live view's library is loaded only when it is shown: a quiet deploy starts sooner.
    const { Listr } = await import("listr2");
    const list = new Listr(tasks, {
      concurrent: Math.max(1, builds.length),
      exitOnError: false,
      renderer: "default",
      fallbackRenderer: "simple",
      rendererOptions: { collapseErrors: true, showErrorMessage: false },
    });
    await list.run().catch(() => undefined);
  }
  return builds.map((b) => results.get(b.host) ?? buildFailure(b.host, "not deployed"));
}

/** At most n holders at once; each gets a release function. */
function semaphore(n: number): () => Promise<() => void> {
  let free = n;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return async () => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    let released = false;
    return () => {
      if (!released) release();
      released = true;
    };
  };
}

function buildFailure(host: string, error: unknown): HostResult {
  const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  return {
    host,
    status: "failed",
    from: null,
    to: "-",
    actions: { started: [], restarted: [], reloaded: [], stopped: [], changedFiles: [] },
    plan: null,
    notes: [],
    error: message,
    roundTrips: 0,
    seconds: 0,
    timings: [],
  };
}

export function describe(r: HostResult): string {
  const id = r.to.slice(0, 12);
  switch (r.status) {
    case "unchanged":
      return `unchanged ${id}`;
    case "deployed":
      return `deployed ${id} (${r.seconds.toFixed(1)} s)`;
    case "failed":
      if (r.unreachable) return "unreachable";
      return r.rolledBack ? `failed, rolled back to ${r.from?.slice(0, 12)}` : "failed";
  }
}

/** The summary table: one row per host. */
export function summaryTable(results: readonly HostResult[]): string {
  const rows = [["host", "result", "generation", "changes", "time"]];
  for (const r of results) {
    const a = r.actions;
    const changes = [
      a.changedFiles.length && `${a.changedFiles.length} files`,
      a.started.length && `started ${a.started.join(" ")}`,
      a.restarted.length && `restarted ${a.restarted.join(" ")}`,
      a.reloaded.length && `reloaded ${a.reloaded.join(" ")}`,
      a.stopped.length && `stopped ${a.stopped.join(" ")}`,
    ].filter(Boolean);
    const result = r.status === "failed" ? (r.unreachable ? "UNREACHABLE" : r.rolledBack ? "FAILED (rolled back)" : "FAILED") : r.status;
    rows.push([
      r.host,
      result,
      r.to.slice(0, 12),
      r.status === "failed" ? (r.error ?? "") : changes.join("; ") || "-",
      `${r.seconds.toFixed(1)} s`,
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/**
 * Where each host's time went (`roost deploy --timings`): one column per host, one row per phase
 * in the order they ran; host steps (timed by the host's own clock) are indented.
 */
export function timingsTable(results: readonly HostResult[], fleetPhases: readonly { phase: string; ms: number }[]): string {
  const order: string[] = [];
  const key = (t: HostResult["timings"][number]) => `${t.on === "host" ? "  " : ""}${t.phase}`;
  for (const r of results) {
    for (const t of r.timings) {
      const k = key(t);
      if (!order.includes(k)) {
        // A row first seen on a later host goes after the row it follows there.
        const i = r.timings.indexOf(t);
        const before = i > 0 ? order.indexOf(key(r.timings[i - 1]!)) : -1;
        order.splice(before + 1, 0, k);
      }
    }
  }
  const cell = (r: HostResult, k: string) => {
    const found = r.timings.filter((t) => key(t) === k);
    if (!found.length) return "";
    const ms = found.reduce((n, t) => n + t.ms, 0);
    return found.every((t) => t.skipped) ? `${ms} (skipped)` : String(ms);
  };
  const rows = [["ms", ...results.map((r) => r.host)]];
  for (const k of order) rows.push([k, ...results.map((r) => cell(r, k))]);
  rows.push(["total (host)", ...results.map((r) => String(Math.round(r.seconds * 1000)))]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const fleetLine = `controller, for the fleet: ${fleetPhases.map((f) => `${f.phase} ${f.ms} ms`).join(", ")}`;
  return [
    fleetLine,
    ...rows.map((row) =>
      row
        .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join("  ")
        .trimEnd(),
    ),
  ].join("\n");
}

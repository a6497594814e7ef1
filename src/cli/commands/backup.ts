import { RoostError } from "../../core/index.ts";
import {
  backupJobName,
  backupOnHost,
  restoreTarget,
  snapshotId,
  type BackupLine,
  type BackupQuery,
  type Snapshot,
} from "../../deploy/backup.ts";
import { openFleet, reachableHost, UsageError, type GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";
import { withSsh } from "../ssh-state.ts";

export interface BackupOptions extends GlobalOptions {
  readonly json?: boolean;
  readonly snapshot?: string;
  readonly to?: string;
}

/** The job argument, checked before anything reaches the host. */
function checkedJob(job: string | undefined): string | null {
  if (job === undefined) return null;
  const j = backupJobName(job);
  if ("why" in j) throw new UsageError(`not a backup job name: ${JSON.stringify(job)}`, [j.why], "e.g. roost backup list web shop");
  return j.job;
}

async function onHost(host: string, query: BackupQuery, opts: BackupOptions, onLine?: (l: BackupLine) => void) {
  const fleet = await openFleet(opts, [host]);
  const target = reachableHost(fleet, host);
  return withSsh(opts.sshConfig, (ssh) => backupOnHost(host, target, ssh, query, onLine));
}

function failure(host: string, r: { lines: BackupLine[]; stderr: string }, what: string): RoostError {
  const errors = r.lines.flatMap((l) => (l.kind === "error" ? [l.message] : []));
  const stderr = r.stderr.trim().split("\n").filter(Boolean).slice(-6);
  return new RoostError(`${host}: ${what}`, [...errors, ...stderr], `roost logs ${host} -n 50 shows the host's side`);
}

/** `roost backup list <host> [job]`: the snapshots of each job, grouped by run, newest last. */
export async function backupListCommand(host: string, job: string | undefined, opts: BackupOptions): Promise<number> {
  const r = await onHost(host, { action: "list", job: checkedJob(job), snapshot: null, target: null }, opts);
  if (r.code !== 0) throw failure(host, r, "cannot list the backups");
  const snapshots = r.lines.flatMap((l) => (l.kind === "snapshot" ? [l.snapshot] : []));
  if (opts.json) console.log(JSON.stringify(snapshots, null, 2));
  else console.log(formatSnapshots(snapshots));
  return exitCodes.ok;
}

export function formatSnapshots(snapshots: readonly Snapshot[]): string {
  if (snapshots.length === 0) return "no snapshots";
  const rows = [...snapshots]
    .sort((a, b) => a.job.localeCompare(b.job) || a.run.localeCompare(b.run) || a.time.localeCompare(b.time))
    .map((s) => [s.job, s.time, s.id.slice(0, 8), s.kind === "files" ? "files" : `${s.kind} ${s.name}`]);
  const header = ["JOB", "TIME", "SNAPSHOT", "WHAT"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
}

/** `roost backup run <host> [job]`: run the job units now and wait; exit 1 when one fails. */
export async function backupRunCommand(host: string, job: string | undefined, opts: BackupOptions): Promise<number> {
  const r = await onHost(host, { action: "run", job: checkedJob(job), snapshot: null, target: null }, opts, (l) => {
    if (l.kind === "ran") console.log(`${l.ok ? "✓" : "✗"} ${l.job}${l.ok ? "" : " failed"}`);
    else if (l.kind === "log") console.log(`    ${l.text}`);
  });
  const ran = r.lines.filter((l) => l.kind === "ran");
  if (ran.length === 0 && r.code !== 0) throw failure(host, r, "cannot run the backups");
  return r.code === 0 ? exitCodes.ok : exitCodes.failed;
}

/** `roost backup restore <host> <job> [--snapshot id] [--to dir]`: files and databases of one run. */
export async function backupRestoreCommand(host: string, job: string, opts: BackupOptions): Promise<number> {
  const checked = checkedJob(job)!;
  let snapshot: string | null = null;
  if (opts.snapshot !== undefined) {
    snapshot = snapshotId(opts.snapshot);
    if (snapshot === null)
      throw new UsageError(`--snapshot: not a snapshot id: ${JSON.stringify(opts.snapshot)}`, [
        "8 to 64 hex digits, as roost backup list shows them",
      ]);
  }
  let target: string | null = null;
  if (opts.to !== undefined) {
    const t = restoreTarget(opts.to);
    if ("why" in t)
      throw new UsageError(`--to: ${JSON.stringify(opts.to)}: ${t.why}`, ["an absolute path on the host, e.g. /var/tmp/restore"]);
    target = t.target;
  }
  const r = await onHost(host, { action: "restore", job: checked, snapshot, target }, opts, (l) => {
    if (l.kind === "other") console.log(l.text);
  });
  if (r.code !== 0) throw failure(host, r, `the restore of ${checked} failed`);
  return exitCodes.ok;
}

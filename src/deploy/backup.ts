import { RoostError } from "../core/index.ts";
import type { Host } from "../host/fleet.ts";
import { sshTarget } from "./deploy-host.ts";
import { encodeText } from "./host-data.ts";
import type { SshSettings } from "./ssh.ts";

/** What `roost backup` asks of a host's entry point (roost-host backup, backup.sh). */
export interface BackupQuery {
  readonly action: "list" | "run" | "restore";
  /** A name as `backupJobName` checks it, or null for every job. */
  readonly job: string | null;
  readonly snapshot: string | null;
  /** An absolute path as `restoreTarget` checks it, or null: in place. */
  readonly target: string | null;
}

/** A job name, checked as backup.sh checks it, or why it is not one. */
export function backupJobName(text: string): { job: string } | { why: string } {
  return /^[a-z0-9][a-z0-9_-]{0,47}$/.test(text) ? { job: text } : { why: "a job name is a-z, 0-9, _ and -, up to 48 characters" };
}

/** A restic snapshot id or its prefix (8 to 64 hex digits), or null. */
export function snapshotId(text: string): string | null {
  return /^[0-9a-f]{8,64}$/.test(text) ? text : null;
}

/** An absolute path to restore under, or why it is not one. */
export function restoreTarget(text: string): { target: string } | { why: string } {
  if (!text.startsWith("/")) return { why: "it is not an absolute path" };
  if (/[\x00-\x1f\x7f\\]/.test(text)) return { why: "it holds a control character or a backslash" };
  if (`${text}/`.includes("/../") || `${text}/`.includes("/./")) return { why: "it holds . or .. segments" };
  return { target: text.length > 1 ? text.replace(/\/+$/, "") : text };
}

export interface Snapshot {
  readonly job: string;
  readonly id: string;
  readonly time: string;
  /** The run it belongs to: every snapshot of one run (files and each dump) has the same. */
  readonly run: string;
  readonly kind: "files" | "postgresql" | "mysql" | "redis" | "sqlite";
  readonly name: string | null;
}

/** One line of the host's backup runner, parsed. */
export type BackupLine =
  | { readonly kind: "snapshot"; readonly snapshot: Snapshot }
  | { readonly kind: "ran"; readonly job: string; readonly ok: boolean }
  | { readonly kind: "log"; readonly text: string }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "other"; readonly text: string };

export function parseBackupLine(line: string): BackupLine {
  const snapshot = /^snapshot ([a-z0-9][a-z0-9_-]*) ([0-9a-f]{8,64}) (\S+) (\S+) (files|postgresql|mysql|redis|sqlite) (\S+)$/.exec(line);
  if (snapshot) {
    const [, job, id, time, run, kind, name] = snapshot;
    return {
      kind: "snapshot",
      snapshot: { job: job!, id: id!, time: time!, run: run!, kind: kind as Snapshot["kind"], name: name === "-" ? null : name! },
    };
  }
  const ran = /^ran ([a-z0-9][a-z0-9_-]*) (ok|failed)$/.exec(line);
  if (ran) return { kind: "ran", job: ran[1]!, ok: ran[2] === "ok" };
  if (line.startsWith("log ")) return { kind: "log", text: line.slice(4) };
  if (line.startsWith("error ")) return { kind: "error", message: line.slice(6) };
  return { kind: "other", text: line };
}

export interface BackupResult {
  readonly code: number;
  readonly lines: BackupLine[];
  readonly stderr: string;
}

/**
 * Run `roost-host backup` on a host over its kept connection; each line is parsed and handed to
 * `onLine` as it arrives (a restore reports as it goes). A host that cannot be reached throws.
 */
export async function backupOnHost(
  name: string,
  host: Host,
  settings: SshSettings,
  query: BackupQuery,
  onLine: (line: BackupLine) => void = () => {},
): Promise<BackupResult> {
  const ssh = sshTarget(name, host, settings);
  const args = [query.action, query.job ?? "-", query.snapshot ?? "-", query.target === null ? "-" : encodeText(query.target, "--to")];
  const lines: BackupLine[] = [];
  try {
    const r = await ssh.exec("backup", args, {
      onLine: (l) => {
        const parsed = parseBackupLine(l);
        lines.push(parsed);
        onLine(parsed);
      },
    });
    if (r.code === 2) throw new RoostError(`${name}: the host refused the request`, r.stderr.trim().split("\n").filter(Boolean).slice(-3));
    return { code: r.code, lines, stderr: r.stderr };
  } finally {
    await ssh.close();
  }
}

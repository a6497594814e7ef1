import type { Manifest } from "../build/manifest.ts";

/**
 * The host protocol, in one place: where Roost keeps its state on a host, and the lines the host
 * scripts print back. The scripts get the layout as shell variables (see `layoutPrelude`), so a path
 * is spelled once, here.
 */
export const layout = {
  root: "/var/lib/roost",
  store: "/var/lib/roost/store",
  generations: "/var/lib/roost/generations",
  incoming: "/var/lib/roost/incoming",
  /** One file per receive in progress: while any exists, store objects are not collected. */
  pins: "/var/lib/roost/pins",
  logs: "/var/lib/roost/log",
  drift: "/var/lib/roost/drift",
  current: "/var/lib/roost/current",
  pending: "/var/lib/roost/pending",
  history: "/var/lib/roost/history",
  lock: "/var/lib/roost/lock",
  lockInfo: "/var/lib/roost/lock.info",
  switchLock: "/var/lib/roost/switch.lock",
  /** The users and groups Roost created: the only accounts it ever modifies. */
  accounts: "/var/lib/roost/accounts",
  /** The fixed entry point a deploy user may run with sudo, and the scripts it dispatches to. */
  entryDir: "/usr/local/lib/roost",
  entryPoint: "/usr/local/lib/roost/roost-host",
} as const;

const shellNames: Record<keyof typeof layout, string> = {
  root: "R",
  store: "STORE",
  generations: "GENERATIONS",
  incoming: "INCOMING",
  pins: "PINS",
  logs: "LOGS",
  drift: "DRIFT",
  current: "CURRENT",
  pending: "PENDING_FILE",
  history: "HISTORY",
  lock: "LOCK",
  lockInfo: "LOCK_INFO",
  switchLock: "SWITCH_LOCK",
  accounts: "ACCOUNTS",
  entryDir: "ENTRY_DIR",
  entryPoint: "ENTRY_POINT",
};

/** The layout as readonly shell variables, the first lines of every host script. */
export function layoutPrelude(): string {
  return (Object.keys(layout) as (keyof typeof layout)[]).map((k) => `readonly ${shellNames[k]}=${layout[k]}\n`).join("");
}

/** journalctl's output modes that `roost logs --output` may ask for (logs.sh accepts the same). */
export const journalOutputs = [
  "short",
  "short-iso",
  "short-iso-precise",
  "short-precise",
  "short-monotonic",
  "short-unix",
  "short-full",
  "with-unit",
  "cat",
  "json",
  "json-pretty",
  "verbose",
] as const;
export type JournalOutput = (typeof journalOutputs)[number];

/** What the activation did, from its own report. */
export interface ActivationActions {
  readonly started: string[];
  readonly restarted: string[];
  readonly reloaded: string[];
  readonly stopped: string[];
  readonly changedFiles: string[];
}

/** One line a host script prints, parsed. Lines no parser knows are kept as `other`. */
export type HostLine =
  | { readonly kind: "step"; readonly step: string }
  | { readonly kind: "timing"; readonly step: string; readonly ms: number; readonly skipped: boolean }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "rolled-back"; readonly to: string }
  | { readonly kind: "unit"; readonly action: "started" | "restarted" | "reloaded" | "stopped"; readonly unit: string }
  | { readonly kind: "changed"; readonly path: string }
  | { readonly kind: "done"; readonly id: string }
  | { readonly kind: "locked"; readonly holder: string }
  | { readonly kind: "stale"; readonly holder: string }
  | { readonly kind: "current"; readonly id: string | null }
  | { readonly kind: "pending"; readonly next: string; readonly previous: string }
  | { readonly kind: "missing"; readonly hash: string }
  | { readonly kind: "drift"; readonly change: "changed" | "missing"; readonly path: string }
  | { readonly kind: "manifest"; readonly manifest: Manifest }
  | { readonly kind: "ready" }
  | { readonly kind: "released" }
  | { readonly kind: "confirmed" }
  | { readonly kind: "not-current"; readonly id: string | null }
  | { readonly kind: "collected"; readonly id: string }
  | { readonly kind: "activated"; readonly at: string }
  | { readonly kind: "down"; readonly unit: string; readonly state: string }
  | { readonly kind: "check"; readonly result: CheckResult; readonly name: string; readonly reason: string | null }
  | { readonly kind: "other"; readonly text: string };

export type CheckResult = "ok" | "failed" | "skipped";

const generationId = /^[0-9a-f]{32}$/;
const objectHash = /^[0-9a-f]{64}$/;

/** Parse one line of a host script's output. */
export function parseHostLine(line: string): HostLine {
  const space = line.indexOf(" ");
  const word = space < 0 ? line : line.slice(0, space);
  const rest = space < 0 ? "" : line.slice(space + 1);
  const other: HostLine = { kind: "other", text: line };
  switch (word) {
    case "step":
      return rest ? { kind: "step", step: rest } : other;
    case "timing": {
      const m = /^([a-z-]+) (\d{1,9})( skipped)?$/.exec(rest);
      return m ? { kind: "timing", step: m[1]!, ms: Number(m[2]), skipped: m[3] !== undefined } : other;
    }
    case "error":
      return { kind: "error", message: rest };
    case "rolled-back":
      return generationId.test(rest) ? { kind: "rolled-back", to: rest } : other;
    case "started":
    case "restarted":
    case "reloaded":
    case "stopped":
      return rest ? { kind: "unit", action: word, unit: rest } : other;
    case "changed":
      return rest.startsWith("/") ? { kind: "changed", path: rest } : other;
    case "done":
      return generationId.test(rest) ? { kind: "done", id: rest } : other;
    case "locked":
      return { kind: "locked", holder: rest };
    case "stale":
      return { kind: "stale", holder: rest };
    case "current":
      return rest === "-" ? { kind: "current", id: null } : generationId.test(rest) ? { kind: "current", id: rest } : other;
    case "not-current":
      return rest === "-" ? { kind: "not-current", id: null } : generationId.test(rest) ? { kind: "not-current", id: rest } : other;
    case "pending": {
      const [next, previous, ...more] = rest.split(" ");
      return more.length === 0 && generationId.test(next ?? "") && generationId.test(previous ?? "")
        ? { kind: "pending", next: next!, previous: previous! }
        : other;
    }
    case "missing":
      return objectHash.test(rest) ? { kind: "missing", hash: rest } : other;
    case "drift": {
      const m = /^(changed|missing) (\/.*)$/.exec(rest);
      return m ? { kind: "drift", change: m[1] as "changed" | "missing", path: m[2]! } : other;
    }
    case "manifest":
      try {
        return { kind: "manifest", manifest: JSON.parse(Buffer.from(rest, "base64").toString("utf8")) as Manifest };
      } catch {
        return other;
      }
    case "ready":
      return rest ? other : { kind: "ready" };
    case "released":
      return rest ? other : { kind: "released" };
    case "confirmed":
      return rest ? other : { kind: "confirmed" };
    case "collected":
      return generationId.test(rest) ? { kind: "collected", id: rest } : other;
    case "activated":
      return /^\d{4}-\d{2}-\d{2}T[\d:]+Z$/.test(rest) ? { kind: "activated", at: rest } : other;
    case "down": {
      const m = /^([A-Za-z0-9:_.\\@-]+) (\S+)$/.exec(rest);
      return m ? { kind: "down", unit: m[1]!, state: m[2]! } : other;
    }
    case "check": {
      const m = /^(ok|failed|skipped) ([A-Za-z0-9][A-Za-z0-9_.@:-]*)(?: (.+))?$/.exec(rest);
      if (!m || (m[1] === "ok") !== (m[3] === undefined)) return other;
      return { kind: "check", result: m[1] as CheckResult, name: m[2]!, reason: m[3] ?? null };
    }
    default:
      return other;
  }
}

/** What the host told us when we took its lock. */
export interface HostStatus {
  readonly current: string | null;
  readonly pending: { readonly next: string; readonly previous: string } | null;
  readonly missing: ReadonlySet<string>;
  readonly drift: readonly { readonly path: string; readonly kind: "changed" | "missing" }[];
  /** The holder of a lock whose deploy died without releasing it. */
  readonly staleHolder: string | null;
  readonly manifest: Manifest | null;
  /** The host was already on the generation asked for, with nothing to repair: it let its lock go. */
  readonly released: boolean;
}

/** The report of status.sh, up to "ready". */
export function parseStatus(lines: readonly string[]): HostStatus {
  let current: string | null = null;
  let pending: HostStatus["pending"] = null;
  let staleHolder: string | null = null;
  let manifest: Manifest | null = null;
  let released = false;
  const missing = new Set<string>();
  const drift: { path: string; kind: "changed" | "missing" }[] = [];
  for (const line of lines) {
    const l = parseHostLine(line);
    if (l.kind === "current") current = l.id;
    else if (l.kind === "pending") pending = { next: l.next, previous: l.previous };
    else if (l.kind === "missing") missing.add(l.hash);
    else if (l.kind === "drift") drift.push({ kind: l.change, path: l.path });
    else if (l.kind === "stale") staleHolder = l.holder;
    else if (l.kind === "manifest") manifest = l.manifest;
    else if (l.kind === "released") released = true;
  }
  return { current, pending, missing, drift, staleHolder, manifest, released };
}

/** What `roost status` shows of a host, from report.sh. */
export interface HostReport {
  readonly current: string | null;
  /** When the host last switched to the current generation (ISO time). */
  readonly activated: string | null;
  readonly pending: { readonly next: string; readonly previous: string } | null;
  /** Failed units, and units of the generation that should run and do not. */
  readonly down: readonly { readonly unit: string; readonly state: string }[];
  readonly checks: readonly { readonly name: string; readonly result: CheckResult; readonly reason: string | null }[];
  readonly drift: readonly { readonly path: string; readonly kind: "changed" | "missing" }[];
}

/** The report of report.sh; lines it does not know are skipped. */
export function parseReport(lines: readonly string[]): HostReport {
  let current: string | null = null;
  let activated: string | null = null;
  let pending: HostReport["pending"] = null;
  const down: { unit: string; state: string }[] = [];
  const checks: { name: string; result: CheckResult; reason: string | null }[] = [];
  const drift: { path: string; kind: "changed" | "missing" }[] = [];
  for (const line of lines) {
    const l = parseHostLine(line);
    if (l.kind === "current") current = l.id;
    else if (l.kind === "activated") activated = l.at;
    else if (l.kind === "pending") pending = { next: l.next, previous: l.previous };
    else if (l.kind === "down") down.push({ unit: l.unit, state: l.state });
    else if (l.kind === "check") checks.push({ name: l.name, result: l.result, reason: l.reason });
    else if (l.kind === "drift") drift.push({ kind: l.change, path: l.path });
  }
  return { current, activated, pending, down, checks, drift };
}

/** The activation's report, gathered line by line as it streams in. */
export class ActivationReport {
  readonly actions: ActivationActions = { started: [], restarted: [], reloaded: [], stopped: [], changedFiles: [] };
  readonly errors: string[] = [];
  /** How long each host-side step took (its own clock), in the order they ran. */
  readonly timings: { step: string; ms: number; skipped: boolean }[] = [];
  rolledBack = false;
  done: string | null = null;

  /** Take one line; returns it parsed (for progress display). */
  add(line: string): HostLine {
    const l = parseHostLine(line);
    if (l.kind === "error") this.errors.push(l.message);
    else if (l.kind === "rolled-back") this.rolledBack = true;
    else if (l.kind === "unit") this.actions[l.action].push(l.unit);
    else if (l.kind === "changed") this.actions.changedFiles.push(l.path);
    else if (l.kind === "done") this.done = l.id;
    else if (l.kind === "timing") this.timings.push({ step: l.step, ms: l.ms, skipped: l.skipped });
    return l;
  }

  /** The reason to show for a failed activation: a failed health check first. */
  reason(): string | undefined {
    return this.errors.find((e) => e.startsWith("health check")) ?? this.errors[0];
  }
}

export interface GenerationLine {
  readonly id: string;
  readonly activated: string | null;
  readonly current: boolean;
  readonly bytes: number;
}

/** generations.sh: "id TAB activated|- TAB 0|1 TAB bytes" per line; other lines are skipped. */
export function parseGenerations(stdout: string): GenerationLine[] {
  const out: GenerationLine[] = [];
  for (const line of stdout.split("\n")) {
    const m = /^([0-9a-f]{32})\t(\S+)\t([01])\t(\d+)$/.exec(line);
    if (m) out.push({ id: m[1]!, activated: m[2] === "-" ? null : m[2]!, current: m[3] === "1", bytes: Number(m[4]) });
  }
  return out;
}

/** objects.sh: "hash base64" or "hash -" per line. */
export function parseObjects(stdout: string): Map<string, Buffer | null> {
  const out = new Map<string, Buffer | null>();
  for (const line of stdout.split("\n")) {
    const m = /^([0-9a-f]{64}) (-|[A-Za-z0-9+/=]*)$/.exec(line);
    if (m) out.set(m[1]!, m[2] === "-" ? null : Buffer.from(m[2]!, "base64"));
  }
  return out;
}

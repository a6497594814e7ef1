import type { HostGeneration } from "../build/generation.ts";
import type { Manifest } from "../build/manifest.ts";
import type { HostStatus } from "./session.ts";

/** What a deploy would change on one host, and what was changed there by hand. */
export interface HostPlan {
  readonly host: string;
  readonly from: string | null;
  readonly to: string;
  readonly files: { readonly added: string[]; readonly changed: string[]; readonly removed: string[] };
  readonly units: { readonly start: string[]; readonly restart: string[]; readonly reload: string[]; readonly stop: string[] };
  readonly packages: { readonly install: string[] };
  readonly users: { readonly create: string[] };
  readonly groups: { readonly create: string[] };
  readonly directories: { readonly create: string[] };
  /** Secret outputs whose value changes or that appear or go away: names only, never values. */
  readonly secrets: { readonly changed: string[]; readonly added: string[]; readonly removed: string[] };
  /** Managed files edited or deleted on the host since the last activation: a deploy overwrites them (keeping a copy). */
  readonly drift: HostStatus["drift"];
  /** Objects the host lacks: what the deploy sends. */
  readonly transfer: { readonly objects: number; readonly bytes: number };
  readonly unchanged: boolean;
}

const keys = (o: object | undefined) => new Set(Object.keys(o ?? {}));

/**
 * Compare the host's current manifest with the new one, as the activation will: a unit whose hash
 * changed restarts (or reloads, when only its reloadTriggers changed); new units that something
 * wants start; units that are gone stop.
 */
export function planHost(gen: HostGeneration, status: HostStatus, old: Manifest | null): HostPlan {
  const next = gen.manifest;
  const oldFiles = old?.files ?? {};
  const files = {
    added: Object.keys(next.files).filter((p) => !(p in oldFiles)).sort(),
    changed: Object.keys(next.files).filter((p) => p in oldFiles && (oldFiles[p]!.sha256 !== next.files[p]!.sha256 || oldFiles[p]!.mode !== next.files[p]!.mode || oldFiles[p]!.owner !== next.files[p]!.owner || oldFiles[p]!.group !== next.files[p]!.group)).sort(),
    removed: Object.keys(oldFiles).filter((p) => !(p in next.files)).sort(),
  };
  const units = { start: [] as string[], restart: [] as string[], reload: [] as string[], stop: [] as string[] };
  for (const [name, u] of Object.entries(next.units).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const before = old?.units[name];
    const startable = u.wantedBy.length > 0 && !name.includes("@.");
    if (!before) {
      if (startable) units.start.push(name);
    } else if (before.sha256 !== u.sha256) {
      if (u.restartIfChanged && !name.includes("@.")) units.restart.push(name);
    } else if (before.reload !== u.reload) units.reload.push(name);
  }
  units.stop = [...keys(old?.units)].filter((n) => !(n in next.units)).sort();
  const oldPackages = new Set(old?.packages ?? []);
  const missing = [...status.missing];
  const sizes = new Map([...gen.files.values()].map((f) => [f.path, f.content.length]));
  const bytes = Object.entries(next.files).filter(([, f]) => status.missing.has(f.sha256)).reduce((n, [p]) => n + (sizes.get(p) ?? 0), 0);
  const plan: HostPlan = {
    host: gen.host,
    from: status.current,
    to: gen.id,
    files,
    units,
    packages: { install: next.packages.filter((p) => !oldPackages.has(p)) },
    users: { create: [...keys(next.users)].filter((u) => !(u in (old?.users ?? {}))).sort() },
    groups: { create: [...keys(next.groups)].filter((g) => !(g in (old?.groups ?? {}))).sort() },
    directories: { create: [...keys(next.directories)].filter((d) => !(d in (old?.directories ?? {}))).sort() },
    secrets: {
      added: Object.keys(next.secrets).filter((n) => !(n in (old?.secrets ?? {}))).sort(),
      changed: Object.keys(next.secrets).filter((n) => old?.secrets?.[n] && old.secrets[n]!.version !== next.secrets[n]!.version).sort(),
      removed: Object.keys(old?.secrets ?? {}).filter((n) => !(n in next.secrets)).sort(),
    },
    drift: status.drift,
    transfer: { objects: missing.length, bytes },
    unchanged: status.current === gen.id && status.drift.length === 0,
  };
  return plan;
}

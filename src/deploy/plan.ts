import type { HostGeneration } from "../build/generation.ts";
import type { Manifest } from "../build/manifest.ts";
import { spawnSync } from "node:child_process";
import { RoostError } from "../core/index.ts";
import { unitsTsv } from "./host-data.ts";
import { unitActionsAwk } from "./host-scripts.ts";
import type { HostStatus } from "./protocol.ts";
import { generationObjects } from "./upload.ts";

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
  /** Objects the host lacks: what the deploy sends, and the URLs the host downloads itself. */
  readonly transfer: { readonly objects: number; readonly bytes: number; readonly downloads: readonly string[] };
  readonly unchanged: boolean;
}

const keys = (o: object | undefined) => new Set(Object.keys(o ?? {}));

export interface UnitActions {
  readonly start: string[];
  readonly restart: string[];
  readonly reload: string[];
  readonly stop: string[];
}

/**
 * What a switch does to each unit, decided by the same program the activation runs on the host
 * (unit-actions.awk): a unit whose hash changed restarts (or reloads, when only its reloadTriggers
 * changed); new units that something wants start; units that are gone stop.
 */
export function unitActions(old: Manifest["units"] | undefined, next: Manifest["units"]): UnitActions {
  const prefix = (tag: string, tsv: string) =>
    tsv
      .split("\n")
      .filter(Boolean)
      .map((l) => `${tag}\t${l}\n`)
      .join("");
  const input = prefix("old", unitsTsv(old ?? {})) + prefix("new", unitsTsv(next));
  const r = spawnSync("awk", [unitActionsAwk], { input, encoding: "utf8" });
  if (r.status !== 0)
    throw new RoostError(
      "cannot work out which units a switch restarts",
      [r.error?.message ?? r.stderr.trim()],
      "the plan runs awk, as the host does",
    );
  const actions: UnitActions = { start: [], restart: [], reload: [], stop: [] };
  for (const line of r.stdout.split("\n")) {
    const [action, unit] = line.split(" ");
    if (unit && (action === "start" || action === "restart" || action === "reload" || action === "stop")) actions[action].push(unit);
  }
  return actions;
}

/** Compare the host's current manifest with the new one, as the activation will. */
export function planHost(gen: HostGeneration, status: HostStatus, old: Manifest | null): HostPlan {
  const next = gen.manifest;
  const oldFiles = old?.files ?? {};
  const files = {
    added: Object.keys(next.files)
      .filter((p) => !(p in oldFiles))
      .sort(),
    changed: Object.keys(next.files)
      .filter(
        (p) =>
          p in oldFiles &&
          (oldFiles[p]!.sha256 !== next.files[p]!.sha256 ||
            oldFiles[p]!.mode !== next.files[p]!.mode ||
            oldFiles[p]!.owner !== next.files[p]!.owner ||
            oldFiles[p]!.group !== next.files[p]!.group),
      )
      .sort(),
    removed: Object.keys(oldFiles)
      .filter((p) => !(p in next.files))
      .sort(),
  };
  const units = unitActions(old?.units, next.units);
  const oldPackages = new Set(old?.packages ?? []);
  // Downloads are fetched by the host, not sent.
  const sent = [...generationObjects(gen)].filter(([hash]) => status.missing.has(hash)).map(([, content]) => content.length);
  const downloads = [
    ...new Set([...gen.files.values()].filter((f) => f.download && status.missing.has(f.download.sha256)).map((f) => f.download!.url)),
  ].sort();
  const bytes = sent.reduce((n, size) => n + size, 0);
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
      added: Object.keys(next.secrets)
        .filter((n) => !(n in (old?.secrets ?? {})))
        .sort(),
      changed: Object.keys(next.secrets)
        .filter((n) => old?.secrets?.[n] && old.secrets[n]!.version !== next.secrets[n]!.version)
        .sort(),
      removed: Object.keys(old?.secrets ?? {})
        .filter((n) => !(n in next.secrets))
        .sort(),
    },
    drift: status.drift,
    transfer: { objects: sent.length, bytes, downloads },
    unchanged: status.current === gen.id && status.drift.length === 0,
  };
  return plan;
}

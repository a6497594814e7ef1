import type { DirectoryEntry } from "../host/directories/render.ts";
import type { HealthCheckEntry } from "../host/health/render.ts";
import type { SecretEntry } from "../host/secrets/render.ts";
import type { UnitEntry } from "../host/systemd/render.ts";
import type { GroupEntry, UserEntry } from "../host/users/render.ts";

export interface FileEntry {
  readonly sha256: string;
  /** null for a download: its size is known once the host has it. */
  readonly size: number | null;
  /** Where the host downloads the content, when the generation does not carry it. */
  readonly url?: string;
  readonly mode: string;
  readonly owner: string;
  readonly group: string;
}

/** Everything a host should be. Its canonical JSON's hash is the generation id. */
export interface Manifest {
  readonly format: 1;
  readonly host: string;
  readonly files: Readonly<Record<string, FileEntry>>;
  readonly units: Readonly<Record<string, UnitEntry>>;
  readonly users: Readonly<Record<string, UserEntry>>;
  readonly groups: Readonly<Record<string, GroupEntry>>;
  readonly directories: Readonly<Record<string, DirectoryEntry>>;
  readonly packages: readonly string[];
  readonly aptRepositories: readonly string[];
  readonly firewall: { readonly path: string; readonly sha256: string } | null;
  readonly healthChecks: Readonly<Record<string, HealthCheckEntry>>;
  readonly deployment: { readonly confirmTimeout: number; readonly keepGenerations: number };
  /** Secret outputs: where each is written and its version; never a value. */
  readonly secrets: Readonly<Record<string, SecretEntry>>;
}

/** JSON with object keys sorted at every level, two-space indented, newline-terminated. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + "\n";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

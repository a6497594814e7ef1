import type { UnitValue } from "./unit-value.ts";

export type Section = readonly [name: string, entries: readonly (readonly [key: string, value: UnitValue | null | undefined])[]];

/**
 * A unit file from typed sections. Lists become one line per item, booleans yes/no, null and empty
 * lists are left out; a section with no entries is left out. Values must be single lines.
 */
export function renderUnitFile(sections: readonly Section[]): string {
  const out: string[] = [];
  for (const [name, entries] of sections) {
    const lines: string[] = [];
    for (const [key, value] of entries) {
      if (value === null || value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) lines.push(`${key}=${renderScalar(key, item)}`);
    }
    if (lines.length) out.push(`[${name}]`, ...lines, "");
  }
  return out.join("\n");
}

function renderScalar(key: string, value: string | number | boolean): string {
  if (typeof value === "boolean") return value ? "yes" : "no";
  const text = String(value);
  if (/[\n\r]/.test(text)) throw new UnitValueError(key, text);
  return text;
}

export class UnitValueError extends Error {
  constructor(readonly key: string, readonly value: string) {
    super(`${key} cannot contain a line break`);
  }
}

/** Environment="KEY=value": quoted for systemd, with % (specifier) doubled. */
export function environmentLine(key: string, value: string): string {
  return `"${`${key}=${value}`.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%")}"`;
}

import type { UnitValue } from "./unit-value.ts";

export type Section = readonly [name: string, entries: readonly (readonly [key: string, value: UnitValue | null | undefined])[]];

export interface UnitFileOptions {
  /**
   * Template units (`name@.service`) are where systemd's % specifiers (%i, %n, …) are the point:
   * their values are written as given. Elsewhere every value is literal and % is written %%.
   */
  readonly specifiers?: boolean;
}

/**
 * A unit file from typed sections: the one encoder of systemd unit syntax. Lists become one line
 * per item, booleans yes/no, null and empty lists are left out. Every value is written so that
 * systemd reads back exactly what was given, or refused with UnitValueError.
 */
export function renderUnitFile(sections: readonly Section[], options: UnitFileOptions = {}): string {
  const out: string[] = [];
  for (const [name, entries] of sections) {
    const lines: string[] = [];
    for (const [key, value] of entries) {
      if (value === null || value === undefined) continue;
      const problem = unitKeyProblem(key);
      if (problem) throw new UnitValueError(key, key, problem);
      for (const item of Array.isArray(value) ? value : [value]) lines.push(`${key}=${encodeUnitValue(key, item, options)}`);
    }
    // A unit file with no sections at all would be empty, and systemd reads an empty unit as masked.
    if (lines.length || (name === "Unit" && out.length === 0)) out.push(`[${name}]`, ...lines, "");
  }
  return out.join("\n");
}

/** Keys whose values systemd splits into words: each item must be one word. */
const wordListKeys = new Set([
  "Documentation",
  "After",
  "Before",
  "Wants",
  "Requires",
  "Requisite",
  "BindsTo",
  "PartOf",
  "Upholds",
  "Conflicts",
  "OnFailure",
  "OnSuccess",
  "WantedBy",
  "RequiredBy",
  "UpheldBy",
  "Also",
  "RequiresMountsFor",
  "ReadWritePaths",
  "ReadOnlyPaths",
  "InaccessiblePaths",
  "ExecPaths",
  "NoExecPaths",
  "StateDirectory",
  "RuntimeDirectory",
  "CacheDirectory",
  "LogsDirectory",
  "ConfigurationDirectory",
  "SupplementaryGroups",
  "CapabilityBoundingSet",
  "AmbientCapabilities",
  "SystemCallFilter",
  "SystemCallArchitectures",
  "RestrictAddressFamilies",
]);

/** Keys that read a percentage and expand no specifiers: their % stays as written. */
const percentKeys =
  /^(CPUQuota|Memory(Min|Low|High|Max|SwapMax|ZSwapMax)|DefaultMemory(Min|Low)|StartupMemory\w+|TasksMax|ManagedOOMMemoryPressureLimit)$/;

export function unitKeyProblem(key: string): string | null {
  return /^[A-Za-z][A-Za-z0-9]*$/.test(key) ? null : "a unit key is letters and digits, starting with a letter";
}

/** The text after `Key=` that systemd reads back as `value`. */
export function encodeUnitValue(key: string, value: string | number | boolean, options: UnitFileOptions = {}): string {
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new UnitValueError(key, String(value), "it is not a finite number");
    return String(value);
  }
  const problem =
    unitTextProblem(value) ??
    (wordListKeys.has(key) && /[\s"'\\]/.test(value)
      ? "systemd splits this key's value into words: an item cannot hold spaces, quotes or backslashes"
      : null);
  if (problem) throw new UnitValueError(key, value, problem);
  return options.specifiers || percentKeys.test(key) ? value : value.replace(/%/g, "%%");
}

/** Why a string cannot be one unit-file value, or null. */
export function unitTextProblem(value: string): string | null {
  if (value === "") return "an empty value resets the setting in systemd: leave the option out instead";
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return "it contains a line break or another control character";
  if (/^\s|\s$/.test(value)) return "systemd strips spaces at either end of a value";
  if (value.endsWith("\\")) return "a value ending in \\ continues onto the next line in a unit file";
  return null;
}

export class UnitValueError extends Error {
  constructor(
    readonly key: string,
    readonly value: string,
    reason: string,
  ) {
    super(`${key}: ${reason}`);
  }
}

/**
 * Environment="KEY=value": quoted, with C escapes for \\, " and control characters, which systemd
 * unescapes (% is doubled by encodeUnitValue like any other value's).
 */
export function environmentLine(key: string, value: string): string {
  if (value.includes("\0")) throw new UnitValueError("Environment", key, "an environment value cannot hold a NUL character");
  const escaped = `${key}=${value}`.replace(/[\\"\x01-\x1f\x7f]/g, (c) => {
    const named: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r" };
    return named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
  return `"${escaped}"`;
}

/**
 * A command line for ExecStart= and friends from its words: each word reads back exactly as given
 * (quoted with C escapes where needed, $ written $$ so systemd does not expand variables).
 */
export function execLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new UnitValueError("ExecStart", "", "a command line needs at least the program");
  return argv
    .map((word, i) => {
      if (word.includes("\0")) throw new UnitValueError("ExecStart", word, "a word cannot hold a NUL character");
      // Before the program, @ - : + ! are prefixes that change how systemd runs it.
      if (/^[A-Za-z0-9_@%+:,./=^[\]-]+$/.test(word) && (i > 0 || !/^[@:+!-]/.test(word))) return word;
      const escaped = word.replace(/[\\"\x01-\x1f\x7f]/g, (c) =>
        c === "\\" || c === '"' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
      );
      return `"${escaped.replaceAll("$", "$$$$")}"`;
    })
    .join(" ");
}

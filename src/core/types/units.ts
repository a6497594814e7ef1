import { mergeEqual } from "../merge.ts";
import { defineType, type OptionType } from "./define.ts";

const durationUnits: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const durationPattern = /^(?:\d+(?:ms|s|m|h|d|w))+$/;

/** Seconds of a duration such as "90s", "5m" or "1h30m"; undefined when it is not one. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== "string" || !durationPattern.test(v)) return undefined;
  let total = 0;
  for (const [, n, unit] of v.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) total += Number(n) * durationUnits[unit!]!;
  return total;
}

/** A duration: seconds as a number, or a string like "5m" or "1h30m". Merges to seconds. */
export const duration: OptionType<number, number | string> = defineType<number, number | string>({
  name: "duration",
  description: 'duration (seconds, or a string like "5m" or "1h30m")',
  check: (v) => parseDuration(v) !== undefined,
  merge: (path, defs) => mergeEqual(path, defs, "duration", (v) => parseDuration(v)!),
});

const byteUnits: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Bytes of a size such as "200M" or "1G" (binary units); undefined when it is not one. */
export function parseBytes(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v !== "string") return undefined;
  const m = /^(\d+)([KMGT]?)$/.exec(v);
  return m ? Number(m[1]) * byteUnits[m[2]!]! : undefined;
}

/** A size in bytes: a number, or a string like "512K", "200M", "1G". Merges to bytes. */
export const bytes: OptionType<number, number | string> = defineType<number, number | string>({
  name: "bytes",
  description: 'size (bytes, or a string like "200M" or "1G")',
  check: (v) => parseBytes(v) !== undefined,
  merge: (path, defs) => mergeEqual(path, defs, "bytes", (v) => parseBytes(v)!),
});

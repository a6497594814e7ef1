import { mergeEqual } from "../merge.ts";
import { defineType, type OptionType } from "./define.ts";

function equalScalar<V>(name: string, description: string, check: (v: unknown) => boolean | string): OptionType<V> {
  return defineType<V>({ name, description, check, merge: (path, defs) => mergeEqual<V>(path, defs, name) });
}

export const bool = equalScalar<boolean>("bool", "boolean", (v) => typeof v === "boolean");

export const str = equalScalar<string>("str", "string", (v) => typeof v === "string");

/** Strings that concatenate with newlines when defined more than once (config snippets). */
export const lines = defineType<string>({
  name: "lines",
  description: "lines of text",
  check: (v) => typeof v === "string",
  merge: (_path, defs) => defs.map((d) => d.value as string).join("\n"),
});

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

export const int = equalScalar<number>("int", "integer", isInt);

export const ints = {
  between(min: number, max: number): OptionType<number> {
    return equalScalar<number>("int", `integer between ${min} and ${max}`, (v) => isInt(v) && v >= min && v <= max);
  },
  get positive(): OptionType<number> {
    return equalScalar<number>("int", "positive integer", (v) => isInt(v) && v > 0);
  },
  get unsigned(): OptionType<number> {
    return equalScalar<number>("int", "non-negative integer", (v) => isInt(v) && v >= 0);
  },
};

export const port = equalScalar<number>("port", "port number (0–65535)", (v) => isInt(v) && v >= 0 && v <= 65535);

export const path = equalScalar<string>("path", "absolute path", (v) => {
  if (typeof v !== "string") return false;
  if (!v.startsWith("/")) return "it does not start with /";
  if (v.split("/").includes("..")) return "it contains ..";
  if (/[\0\n\r\t\\]/.test(v)) return "it contains a control character or backslash";
  return true;
});

/** A Debian package name, as apt and dpkg accept it. */
export const pkg = equalScalar<string>("package", "Debian package name", (v) =>
  typeof v === "string" && /^[a-z0-9][a-z0-9+.-]+$/.test(v),
);

export function enumOf<const T extends string | number>(values: readonly T[]): OptionType<T> {
  const shown = values.map((v) => JSON.stringify(v)).join(", ");
  return equalScalar<T>("enum", `one of ${shown}`, (v) => values.includes(v as T));
}

/** A string matching a regular expression (a name, a host, a mode). */
export function strMatching(pattern: RegExp, description: string): OptionType<string> {
  return equalScalar<string>("str", description, (v) => typeof v === "string" && pattern.test(v));
}

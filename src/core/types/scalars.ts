import { mergeEqual } from "../merge.ts";
import { defineType, type OptionType } from "./define.ts";

function equalScalar<V>(name: string, description: string, check: (v: unknown) => boolean | string): OptionType<V> {
  return defineType<V>({ name, description, check, merge: (path, defs) => mergeEqual<V>(path, defs, name) });
}

export const bool = equalScalar<boolean>("bool", "boolean", (v) => typeof v === "boolean");

/** Why a string cannot be written to a host as UTF-8 text, or null: a NUL or a lone surrogate. */
export function textProblem(v: string): string | null {
  if (v.includes("\0")) return "it contains a NUL character";
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(v))
    return "it contains a lone UTF-16 surrogate, which is not text";
  return null;
}

const isText = (v: unknown) => (typeof v === "string" ? (textProblem(v) ?? true) : false);

export const str = equalScalar<string>("str", "string", isText);

/** A string with a rule of its own: `problem` says why a value breaks it, or returns null. */
export function strSatisfying(description: string, problem: (v: string) => string | null): OptionType<string> {
  return equalScalar<string>("str", description, (v) => (typeof v === "string" ? (textProblem(v) ?? problem(v) ?? true) : false));
}

/** Strings that concatenate with newlines when defined more than once (config snippets). */
export const lines = defineType<string>({
  name: "lines",
  description: "lines of text",
  check: isText,
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

/** Why `v` is not a normalised absolute path, or null. Paths are compared as strings, so each has one spelling. */
export function pathProblem(v: string): string | null {
  if (!v.startsWith("/")) return "it does not start with /";
  if (/[\x00-\x1f\x7f\\]/.test(v)) return "it contains a control character or backslash";
  if (v.length > 4095) return "it is longer than 4095 characters";
  if (v !== "/" && v.endsWith("/")) return `it ends with / (write ${v.replace(/\/+$/, "") || "/"})`;
  const parts = v.split("/").slice(1);
  if (parts.includes("..")) return "it contains ..";
  if (v !== "/" && (parts.includes("") || parts.includes("."))) return `it is not normalised (write ${normalisePath(v)})`;
  if (parts.some((p) => Buffer.byteLength(p) > 255)) return "a component is longer than 255 bytes";
  return null;
}

function normalisePath(v: string): string {
  return (
    "/" +
    v
      .split("/")
      .filter((p) => p !== "" && p !== ".")
      .join("/")
  );
}

/** An absolute path in its one normal spelling: no //, /./, .., trailing / or control characters. */
export const path = equalScalar<string>("path", "absolute path", (v) => {
  if (typeof v !== "string") return false;
  return pathProblem(v) ?? true;
});

/** A Debian package name, as apt and dpkg accept it. */
export const pkg = equalScalar<string>("package", "Debian package name", (v) => {
  if (typeof v !== "string" || !/^[a-z0-9][a-z0-9+.-]+$/.test(v)) return false;
  // apt reads a trailing - as "remove this package".
  return v.endsWith("-") ? "it ends with -, which apt reads as a request to remove the package" : true;
});

const enumValues = new WeakMap<OptionType<any, any>, readonly (string | number)[]>();

/** One of `values`. Declared again with more values, the option accepts both sets (a module adds a choice). */
export function enumOf<const T extends string | number>(values: readonly T[]): OptionType<T> {
  const shown = values.map((v) => JSON.stringify(v)).join(", ");
  const type = defineType<T>({
    name: "enum",
    description: `one of ${shown}`,
    check: (v) => values.includes(v as T),
    merge: (path, defs) => mergeEqual<T>(path, defs, "enum"),
    typeMerge(other) {
      const more = enumValues.get(other);
      return more ? enumOf([...new Set<string | number>([...values, ...more])]) : null;
    },
  });
  enumValues.set(type, values);
  return type;
}

/** A string matching a regular expression (a name, a host, a mode). */
export function strMatching(pattern: RegExp, description: string): OptionType<string> {
  return equalScalar<string>("str", description, (v) => typeof v === "string" && textProblem(v) === null && pattern.test(v));
}

/** Lines of text with a rule of their own, checked in each definition before they are joined. */
export function linesSatisfying(description: string, problem: (v: string) => string | null): OptionType<string> {
  return defineType<string>({
    ...lines,
    description,
    check: (v) => (typeof v === "string" ? (textProblem(v) ?? problem(v) ?? true) : false),
  });
}

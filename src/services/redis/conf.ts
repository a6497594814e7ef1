// redis.conf from typed values: `key arg arg…` lines, each argument written so that Redis's own
// parser (sdssplitargs) reads it back exactly, or refused.
import { types as t } from "roost";

const settingName = t.strSatisfying("redis.conf directive (lower case letters, digits and -)", (v) =>
  /^[a-z][a-z0-9-]*$/.test(v) ? null : "it is not a redis.conf directive name",
);
const argument = t.oneOf([t.str, t.int, t.bool] as const);

/** Values of a freeform `settings`: one argument, or several on one line (a list). */
export const settingsType = t.attrsOf(t.oneOf([argument, t.listOf(argument)] as const), settingName);
export type Arg = string | number | boolean;
export type Settings = Readonly<Record<string, Arg | readonly Arg[]>>;

const plain = /^[A-Za-z0-9._:/@+=,-]+$/;

/** One argument as redis.conf reads it: bare when it can be, else double-quoted with \ escapes. */
export function redisArg(v: Arg): string {
  if (typeof v === "boolean") return v ? "yes" : "no";
  const s = String(v);
  if (plain.test(s)) return s;
  const escaped = [...s]
    .map((c) => {
      if (c === "\\" || c === '"') return `\\${c}`;
      const code = c.charCodeAt(0);
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : c;
    })
    .join("");
  return `"${escaped}"`;
}

/** `key args` lines in the given order (a key may repeat: save, rename-command…); an empty list writes no line. */
export function renderConf(lines: readonly (readonly [string, Arg | readonly Arg[]])[]): string {
  const args = (v: Arg | readonly Arg[]): readonly Arg[] => (typeof v === "object" ? v : [v]);
  return lines
    .filter(([, v]) => args(v).length > 0)
    .map(([k, v]) => `${k} ${args(v).map(redisArg).join(" ")}\n`)
    .join("");
}

import type { Definable } from "../../core/properties.ts";
import { atom, baseKeyProblem, defineFormat, scalarText, type Format, type Shape } from "./settings.ts";
import { shellQuote } from "./shell.ts";

export type KeyValueAtom = string | number | boolean;
export type KeyValueSettings = { readonly [key: string]: KeyValueAtom };
export type KeyValueDefinition = { readonly [key: string]: Definable<KeyValueAtom> };

export interface KeyValueOptions {
  /**
   * Who reads the file: `"systemd"` for an `EnvironmentFile=` (values double-quoted when needed, with
   * `\` before `"`, `\`, `` ` `` and `$`), `"shell"` for a file that `sh` sources (POSIX single quotes).
   * @default "systemd"
   */
  readonly quoting?: "systemd" | "shell";
}

const keyRule = {
  description: "an environment variable name (letters, digits and _, not starting with a digit)",
  problem: (key: string) =>
    baseKeyProblem(key) ??
    (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? null : "it has a character other than letters, digits and _, or starts with a digit"),
};

const plainValue = /^[A-Za-z0-9_@%+:,./-]+$/;

/**
 * `KEY=value` lines, keys in the value's order (sorted, for a merged value). Numbers and booleans
 * are written as `String(v)`. systemd ignores an assignment with control characters other than tab
 * and newline, so those are refused for systemd; a shell file holds anything but NUL.
 */
export function keyValue(options: KeyValueOptions = {}): Format<KeyValueSettings, KeyValueDefinition> {
  const quoting = options.quoting ?? "systemd";
  const text =
    quoting === "systemd"
      ? (s: string) =>
          /[\x00-\x08\x0b-\x1f\x7f]/.test(s) ? "it contains a control character, which systemd refuses in an environment value" : null
      : (s: string) => (s.includes("\0") ? "it contains a NUL character, which a shell cannot hold" : null);
  const value: Shape = { name: "environment value", description: "a string, finite number or boolean", scalar: atom({ text }) };
  const file: Shape = {
    name: "environment file",
    description: "an object of environment variables (flat: strings, finite numbers and booleans)",
    attrs: { key: keyRule, value: () => value },
  };
  const quote = quoting === "systemd" ? systemdQuote : shellQuote;
  return defineFormat("environment file", file, (settings) =>
    Object.entries(settings)
      .map(([key, v]) => `${key}=${quote(scalarText(v))}\n`)
      .join(""),
  );
}

function systemdQuote(s: string): string {
  return plainValue.test(s) ? s : `"${s.replace(/[\\"`$]/g, "\\$&")}"`;
}

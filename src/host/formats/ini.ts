import type { Definable } from "../../core/properties.ts";
import { atom, baseKeyProblem, defineFormat, scalarText, type Format, type Shape } from "./settings.ts";

export type IniAtom = string | number | boolean;
export type IniSettings = { readonly [section: string]: { readonly [key: string]: IniAtom | readonly IniAtom[] } };
export type IniDefinition = {
  readonly [section: string]: Definable<{ readonly [key: string]: Definable<IniAtom | readonly Definable<IniAtom>[]> }>;
};

export interface IniOptions {
  /**
   * Write `%` as `%%`, for Python's configparser with its default (basic) interpolation.
   * @default false
   */
  readonly escapePercent?: boolean;
}

const control = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
/** What readers strip around names and values: JavaScript's \s and Python's str.isspace(). */
const edgeSpace = /^[\s\x1c-\x1f\x85]|[\s\x1c-\x1f\x85]$/;

function nameProblem(name: string): string | null {
  if (name === "") return "it is empty";
  if (/[\n\r]/.test(name)) return "it contains a line break";
  if (control.test(name)) return "it contains a control character";
  if (edgeSpace.test(name)) return "it starts or ends with whitespace, which readers strip";
  if (/[[\]]/.test(name)) return "it contains [ or ], which mark section headers";
  return null;
}

const sectionRule = {
  description: "a section name (no [ ], line breaks or control characters, no surrounding whitespace)",
  problem: (name: string) => baseKeyProblem(name) ?? nameProblem(name),
};

const keyRule = {
  description: "an ini key (no = : [ ], line breaks or control characters, not starting with # or ;)",
  problem(key: string): string | null {
    const problem = baseKeyProblem(key) ?? nameProblem(key);
    if (problem) return problem;
    if (/[=:]/.test(key)) return "it contains = or :, which end a key";
    if (/^[#;]/.test(key)) return "it starts with # or ;, which start a comment";
    return null;
  },
};

const valueText = (s: string): string | null => {
  if (/[\n\r]/.test(s)) return "it contains a line break, which an ini value cannot hold";
  if (control.test(s)) return "it contains a control character, which an ini value cannot hold";
  if (edgeSpace.test(s)) return "it starts or ends with whitespace, which ini readers strip";
  return null;
};

/**
 * INI: `[section]` headers and `key = value` lines, sections and keys in the value's order (sorted,
 * for a merged value), a blank line between sections. Values are text: numbers and booleans are
 * written as `String(v)`; a list is one line per item under the same key (an empty list writes no
 * line). INI has no escapes, so line breaks, control characters, surrounding whitespace and names
 * with `=`, `:`, `[` or `]` are refused. Note that Python's configparser lowercases keys.
 */
export function ini(options: IniOptions = {}): Format<IniSettings, IniDefinition> {
  const scalar = atom({ nullReason: "it is null, which INI cannot write (leave the key out)", text: valueText });
  const value: Shape = {
    name: "ini value",
    description: "an ini value (a string, finite number or boolean, or a list of them)",
    scalar,
    list: { item: () => item },
  };
  const item: Shape = { name: "ini value", description: "an ini value (a string, finite number or boolean)", scalar };
  const section: Shape = {
    name: "ini section",
    description: "an ini section (an object of ini values)",
    attrs: { key: keyRule, value: () => value },
  };
  const file: Shape = {
    name: "ini",
    description: "ini settings (an object of sections)",
    attrs: { key: sectionRule, value: () => section },
  };
  const text = (v: IniAtom) => {
    const s = scalarText(v);
    return options.escapePercent ? s.replaceAll("%", "%%") : s;
  };
  return defineFormat("ini", file, (settings) =>
    Object.entries(settings)
      .map(([name, entries]) => {
        const lines = [`[${name}]`];
        for (const [key, v] of Object.entries(entries)) {
          for (const x of Array.isArray(v) ? v : [v as IniAtom]) lines.push(`${key} =${text(x) === "" ? "" : ` ${text(x)}`}`);
        }
        return `${lines.join("\n")}\n`;
      })
      .join("\n"),
  );
}

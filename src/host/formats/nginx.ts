import type { Definable } from "../../core/properties.ts";
import { isPlainObject } from "../../core/types/containers.ts";
import { atom, baseKeyProblem, defineFormat, type Format, type Shape } from "./settings.ts";

export type NginxAtom = string | number | boolean;
/** A block's directives by name. */
export type NginxBlock = { readonly [directive: string]: NginxValue };
/** One directive's arguments; the last may be its block (`["/api/", { proxy_pass: "…" }]`). */
export type NginxArgs = readonly (NginxAtom | NginxBlock)[];
/** One directive: a single argument, a block without arguments, or arguments. */
export type NginxEntry = NginxAtom | NginxBlock | NginxArgs;
/** What a name holds: one directive, or a list of directives of that name, in order. */
export type NginxValue = NginxAtom | NginxBlock | readonly NginxEntry[];

type BlockDefinition = {
  readonly [directive: string]: Definable<NginxAtom | BlockDefinition | readonly Definable<NginxEntryDefinition>[]>;
};
type NginxEntryDefinition = NginxAtom | BlockDefinition | readonly (NginxAtom | BlockDefinition)[];
export type NginxDefinition = BlockDefinition;

/** Characters that end or change a bare nginx word; an argument with any of them is quoted. */
const special = /[\s;{}"'\\#]/;
const control = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

const directiveRule = {
  description: "an nginx directive name (no whitespace, quotes, ; { } # or \\), or \"\" (written '', the empty key of a map block)",
  problem(name: string): string | null {
    const base = baseKeyProblem(name);
    if (base) return base;
    if (name === "") return null;
    if (/\s/.test(name)) return 'it contains whitespace; write arguments as a list, e.g. location: [["/api/", { … }]]';
    if (special.test(name) || control.test(name)) return "it contains a quote, ;, {, }, #, \\ or a control character";
    return null;
  },
};

const argument = atom({
  nullReason: "it is null, which nginx cannot write (leave the directive out)",
  text: (s) => (control.test(s) ? "it contains a control character, which nginx has no escape for" : null),
});

/**
 * An nginx configuration from a typed block model: `{ name: argument | block | [entry, …] }`, where a
 * list repeats the directive and an entry is an argument, a block, or a list of arguments whose last
 * item may be the directive's block:
 *
 * ```ts
 * { server: { listen: [80, "[::]:80"], server_name: [["example.org", "www.example.org"]],
 *             location: [["/", { root: "/srv/www" }], ["=", "/health", { return: [[200, "ok"]] }]] } }
 * ```
 *
 * Arguments are written bare when nginx reads them back unchanged, otherwise single-quoted with `\\`, `\'`, `\n`, `\r`
 * and `\t` escapes; `$` starts a variable in nginx, quoted or not, and is written as it is. Numbers
 * are written as `String(n)`, booleans as `on`/`off`. Directives come in the value's order; merged
 * values have their names sorted, so directives whose relative order matters (`rewrite`, `return`,
 * `allow`, `deny`) must be one list under one name or live in blocks of their own.
 */
export function nginx(): Format<NginxBlock, NginxDefinition> {
  const block: Shape = {
    name: "nginx block",
    description: "an nginx block (an object of directives)",
    attrs: { key: directiveRule, value: () => value },
  };
  const value: Shape = {
    name: "nginx directive",
    description: "an nginx directive (an argument, a block, or a list of directives)",
    scalar: argument,
    list: { item: () => entry },
    attrs: block.attrs!,
  };
  const entry: Shape = {
    name: "nginx directive",
    description: "an nginx directive (an argument, a block, or a list of arguments that may end with a block)",
    scalar: argument,
    list: {
      item: () => arg,
      problem: (items) => (items.slice(0, -1).some(isPlainObject) ? "a block may only be its directive's last argument" : null),
    },
    attrs: block.attrs!,
  };
  const arg: Shape = {
    name: "nginx argument",
    description: "an nginx argument (a string, finite number or boolean) or a final block",
    scalar: argument,
    attrs: block.attrs!,
  };
  return defineFormat("nginx", block, (settings) => render(settings, "").join("\n") + "\n");
}

function render(block: NginxBlock, indent: string): string[] {
  const out: string[] = [];
  let afterBlock = false;
  for (const [name, value] of Object.entries(block)) {
    for (const entry of Array.isArray(value) ? (value as readonly NginxEntry[]) : [value as NginxEntry]) {
      const args: readonly (NginxAtom | NginxBlock)[] = Array.isArray(entry) ? entry : [entry];
      const last = args.at(-1);
      const body = last !== undefined && isPlainObject(last) ? (last as NginxBlock) : undefined;
      const words = [name === "" ? "''" : name, ...(body ? args.slice(0, -1) : args).map((a) => quoteArgument(a as NginxAtom))].join(" ");
      if (out.length > 0 && (body || afterBlock)) out.push("");
      if (body) out.push(`${indent}${words} {`, ...render(body, `${indent}    `), `${indent}}`);
      else out.push(`${indent}${words};`);
      afterBlock = body !== undefined;
    }
  }
  return out;
}

/** One nginx argument as the config parser reads it back exactly. */
export function quoteArgument(value: NginxAtom): string {
  const s = typeof value === "boolean" ? (value ? "on" : "off") : String(value);
  // A bare backslash escapes only these; before anything else nginx keeps it (`\.php$`).
  if (s !== "" && !/[\s;{}"'#]/.test(s) && !/\\(?=[\\"'tnr]|$)/.test(s)) return s;
  return `'${s.replace(/[\\'\n\r\t]/g, (c) => ({ "\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c]!)}'`;
}

import { collectDefinitions } from "../../core/collect.ts";
import { RoostError, showPath, type OptionPath } from "../../core/index.ts";
import { isOption } from "../../core/option.ts";
import { showValue } from "../../core/show-value.ts";
import { openFleet, UsageError, type GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";

/** Print one final value of a host, and every definition that contributed to it. */
export async function evalCommand(host: string, optionPath: string, opts: GlobalOptions & { json: boolean }): Promise<number> {
  const fleet = await openFleet(opts, [host]);
  const ev = fleet.host(host);
  const path = parseOptionPath(optionPath);
  let split = path.length;
  while (split > 0 && !isOption(ev.declarations.lookup(path.slice(0, split)))) split--;
  if (split === 0) {
    // A group of options: read through the config proxy, which names unknown options with suggestions.
    let node: any = ev.config;
    for (const key of path) node = node[key];
    console.log(JSON.stringify(node, null, 2));
    return exitCodes.ok;
  }
  const value = dig(ev.value(path.slice(0, split)), path.slice(split), optionPath);
  console.log(opts.json ? JSON.stringify(value, null, 2) : typeof value === "string" ? value : JSON.stringify(value, null, 2));
  if (opts.json) return exitCodes.ok;
  const defs = ev.allDefinitions(path.slice(0, split)).flatMap((d) => collectDefinitions(d.value, path.slice(split), d.site));
  const winning = new Set(split === path.length ? ev.definitionsOf(path).map((d) => d.site) : []);
  const option = ev.declarations.lookup(path.slice(0, split));
  console.error("");
  for (const d of defs) {
    const mark = split === path.length && winning.size && !winning.has(d.site) ? " (overridden)" : "";
    console.error(`  ${showValue(d.value, 60)}  defined in ${d.site}${d.priority !== undefined ? ` (priority ${d.priority})` : ""}${mark}`);
  }
  if (isOption(option) && option.hasDefault) console.error(`  default declared in ${option.declaredIn}`);
  return exitCodes.ok;
}

function dig(value: unknown, rest: OptionPath, shown: string): unknown {
  let node = value;
  for (const key of rest) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) throw new RoostError(`${shown} has no value`, [`${showPath(rest)} is not set`]);
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** `services.nginx.virtualHosts."example.org".root` → its keys. */
export function parseOptionPath(text: string): string[] {
  const keys: string[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|([^."]+))\s*(\.|$)/y;
  let m: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (m = pattern.exec(text))) keys.push(m[1] !== undefined ? JSON.parse(`"${m[1]}"`) : m[2]!);
  if (keys.length === 0 || pattern.lastIndex !== text.length) throw new UsageError(`cannot read the option path ${JSON.stringify(text)}`, [], 'write it as in the docs: systemd.services.web.enable or files."/etc/motd".text');
  return keys;
}

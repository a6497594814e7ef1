import { collectDefinitions } from "../../core/collect.ts";
import { priorities, RoostError, showPath, type OptionPath } from "../../core/index.ts";
import { discharge } from "../../core/merge.ts";
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
  const prefix = path.slice(0, split);
  // Each definition with its properties unwrapped: the value as written, its priority, its own site.
  const defs = ev
    .allDefinitions(prefix)
    .flatMap((d) =>
      collectDefinitions(d.value, path.slice(split), d.site).flatMap((c) =>
        discharge({ ...c, priority: c.priority ?? d.priority, order: c.order ?? d.order }),
      ),
    );
  const option = ev.declarations.lookup(prefix);
  const shown = defs.map((d) => ({ value: showValue(d.value, 60), where: `defined in ${d.site.at(path)}`, priority: d.priority }));
  if (split === path.length && isOption(option) && option.hasDefault) {
    shown.push({
      value: showValue(option.spec.default, 60),
      where: `default declared in ${option.declaredIn}`,
      priority: priorities.optionDefault,
    });
  }
  // As in every merge, inside submodules too: the lowest priority number wins, the rest are dropped.
  const best = Math.min(...shown.map((d) => d.priority));
  const width = Math.max(0, ...shown.map((d) => d.value.length));
  console.error("");
  for (const d of shown)
    console.error(`  ${d.value.padEnd(width)}  ${d.where} (${priorityText(d.priority)})${d.priority > best ? " overridden" : ""}`);
  return exitCodes.ok;
}

/** "mkDefault, priority 1000": the priority as a number and as it is usually written. */
function priorityText(priority: number): string {
  const names: Record<number, string> = {
    [priorities.force]: "mkForce",
    [priorities.plain]: "plain",
    [priorities.default]: "mkDefault",
    [priorities.optionDefault]: "option default",
  };
  return `${names[priority] ?? `mkOverride(${priority})`}, priority ${priority}`;
}

function dig(value: unknown, rest: OptionPath, shown: string): unknown {
  let node = value;
  for (const key of rest) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key))
      throw new RoostError(`${shown} has no value`, [`${showPath(rest)} is not set`]);
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
  if (keys.length === 0 || pattern.lastIndex !== text.length)
    throw new UsageError(
      `cannot read the option path ${JSON.stringify(text)}`,
      [],
      'write it as in the docs: systemd.services.web.enable or files."/etc/motd".text',
    );
  return keys;
}

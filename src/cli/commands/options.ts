import { existsSync } from "node:fs";
import { Declarations, importClosure } from "../../core/index.ts";
import { optionDocs, type OptionDoc } from "../../core/docs.ts";
import { primitiveModules } from "../../host/modules.ts";
import type { GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";
import { loadFleet } from "../load-fleet.ts";

/** The option reference: every option Roost and the fleet's own modules declare. */
export async function optionsCommand(opts: GlobalOptions & { json: boolean; markdown: boolean }): Promise<number> {
  const modules = [...primitiveModules];
  if (existsSync(opts.config)) {
    const fleet = await loadFleet(opts.config);
    modules.push(...fleet.modules, ...Object.values(fleet.hosts).flatMap((h) => h.modules));
  }
  const docs = optionDocs(new Declarations(importClosure(modules)));
  if (opts.json) console.log(JSON.stringify(docs, null, 2));
  else if (opts.markdown) console.log(markdown(docs));
  else for (const d of docs) console.log(`${d.path}  (${d.type})${d.default !== null ? `  default: ${d.default}` : ""}\n    ${d.description}`);
  return exitCodes.ok;
}

function markdown(docs: readonly OptionDoc[]): string {
  const parts = ["# Roost options", ""];
  for (const d of docs) {
    parts.push(`## \`${d.path}\``, "", d.description, "", `- type: ${d.type}`);
    if (d.default !== null) parts.push(`- default: \`${d.default}\``);
    if (d.example !== null) parts.push(`- example: \`${d.example}\``);
    if (d.readOnly) parts.push("- read-only");
    parts.push(`- declared in: ${d.declaredIn}`, "");
  }
  return parts.join("\n");
}

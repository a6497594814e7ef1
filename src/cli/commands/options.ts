import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Declarations, importClosure } from "../../core/index.ts";
import { optionDocs, type OptionDoc } from "../../core/docs.ts";
import { primitiveModules } from "../../host/modules.ts";
import type { GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";
import { loadFleet } from "../load-fleet.ts";
import { renderOptionsPage } from "../options-html.ts";

/** The option reference: every option Roost and the fleet's own modules declare. */
export async function optionsCommand(
  opts: GlobalOptions & { json: boolean; markdown: boolean; html?: boolean; out?: string },
): Promise<number> {
  const modules = [...primitiveModules];
  if (existsSync(opts.config)) {
    const fleet = await loadFleet(opts.config);
    modules.push(...fleet.modules, ...Object.values(fleet.hosts).flatMap((h) => h.modules));
  }
  const docs = optionDocs(new Declarations(importClosure(modules)));
  if (opts.html) {
    const file = path.join(opts.out ?? "roost-options", "index.html");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, renderOptionsPage(docs));
    console.log(`wrote ${file} (${docs.length} options)`);
  } else if (opts.json) console.log(JSON.stringify(docs, null, 2));
  else if (opts.markdown) console.log(markdown(docs));
  else
    for (const d of docs)
      console.log(
        `${d.path}  (${d.type})${d.default !== null ? `  default: ${d.default}` : ""}\n    ${d.description}\n    declared in ${d.declaredIn}`,
      );
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

import { types as t } from "../../core/index.ts";

/** Words that, at the start of a statement, act on the ruleset rather than add a rule. */
const commands = new Set([
  "table",
  "chain",
  "flush",
  "delete",
  "destroy",
  "include",
  "define",
  "redefine",
  "undefine",
  "add",
  "insert",
  "replace",
  "create",
  "list",
  "reset",
  "rename",
  "monitor",
  "export",
  "import",
  "describe",
]);

/**
 * Why a line cannot be one rule of Roost's input chain, or null. A `}` would close the chain and let
 * the following text open tables of its own, which `delete table inet roost` never removes.
 */
export function inputRuleProblem(line: string): string | null {
  const rule = line.trim();
  if (rule === "") return null;
  if (/[\x00-\x1f\x7f]/.test(rule)) return "it contains a control character";
  if (rule.includes(";")) return "it holds ; (one rule per line)";
  if (rule.includes("#")) return "it holds # (comments are not kept)";
  let depth = 0;
  for (const c of rule) {
    if (c === "{") depth++;
    if (c === "}" && --depth < 0) return "it closes a block it did not open, which would end Roost's input chain";
  }
  if (depth !== 0) return "its { and } do not balance";
  const first = rule.split(/\s+/)[0]!.toLowerCase();
  if (commands.has(first)) return `it starts with "${first}", a command on the ruleset rather than a rule`;
  return null;
}

/** Raw nftables rules for Roost's input chain, one per line; lines join like `lines`. */
export const inputRules = t.linesSatisfying("nftables rules, one per line", (v) => {
  for (const line of v.split("\n")) {
    const problem = inputRuleProblem(line);
    if (problem) return `the rule ${JSON.stringify(line.trim())} is refused: ${problem}`;
  }
  return null;
});

import type { HostConfig } from "../module.ts";
import { types as t } from "../../core/index.ts";

type Output = HostConfig["secrets"][string];

/** `{{secret:name}}` in a template output, with the one rule for secret names. */
export const placeholder = new RegExp(`\\{\\{secret:(${t.secretName.source.slice(1, -1)})\\}\\}`, "g");

/** The names of the secrets an output is made of, in order, each once. */
export function secretsUsedBy(output: Output): string[] {
  if (output.secret) return [output.secret.secret];
  if (output.template !== null) return [...new Set([...output.template.matchAll(placeholder)].map((m) => m[1]!))];
  return [...new Set(Object.values(output.environment).map((r) => r.secret))];
}

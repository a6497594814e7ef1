import type { HostGeneration } from "../build/generation.ts";
import type { Finding, Skipped, ValidatorResult } from "./finding.ts";
import { checkFirewall } from "./nft-check.ts";
import { verifyUnits } from "./systemd-verify.ts";

const validators = [
  { name: "systemd-analyze verify", run: verifyUnits },
  { name: "nft -c", run: checkFirewall },
];

/** Run every real validator that applies to a generation. */
export async function validateGeneration(gen: HostGeneration): Promise<ValidatorResult> {
  const findings: Finding[] = [];
  const ran: string[] = [];
  const skipped: Skipped[] = [];
  for (const v of validators) {
    const r = await v.run(gen);
    findings.push(...r.findings);
    if (r.skipped) skipped.push(r.skipped);
    else ran.push(v.name);
  }
  return { findings, ran, skipped };
}

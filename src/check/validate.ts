import { availableParallelism } from "node:os";
import type { HostGeneration } from "../build/generation.ts";
import { sha256 } from "../host/rendered.ts";
import { unitDir } from "../host/systemd/render.ts";
import type { Finding, Skipped, ValidatorResult } from "./finding.ts";
import { moduleValidatorsKey, runModuleValidators } from "./module-validators.ts";
import { checkFirewall } from "./nft-check.ts";
import { verifyUnits } from "./systemd-verify.ts";

interface Validator {
  readonly name: string;
  /** What the validator's verdict depends on: generations with one key are validated once. */
  key(gen: HostGeneration): string;
  run(gen: HostGeneration): Promise<{ findings: Finding[]; skipped?: Skipped }>;
  /** Whether it has anything to check in this generation (absent: always); one that has not is not listed as run. */
  appliesTo?(gen: HostGeneration): boolean;
}

const validators: readonly Validator[] = [
  {
    name: "systemd-analyze verify",
    // The unit files, and which files the generation ships as executables (a command it ships is fine).
    key: (gen) =>
      sha256(
        [...gen.files.values()]
          .filter((f) => f.path.startsWith(unitDir + "/") || /[1357]/.test(f.mode))
          .map((f) => `${f.path}\0${f.mode}\0${f.path.startsWith(unitDir + "/") ? gen.manifest.files[f.path]!.sha256 : ""}`)
          .sort()
          .join("\n"),
      ),
    run: verifyUnits,
  },
  { name: "nft -c", key: (gen) => gen.manifest.firewall?.sha256 ?? "none", run: checkFirewall },
  // Commands that modules declare (validators.<name>), e.g. promtool on alert rules.
  {
    name: "module validators",
    key: moduleValidatorsKey,
    run: runModuleValidators,
    appliesTo: (gen) => Object.keys(gen.validators).length > 0,
  },
];

/** Run every real validator that applies to a generation. */
export async function validateGeneration(gen: HostGeneration): Promise<ValidatorResult> {
  return (await validateGenerations([gen]))[0]!;
}

/**
 * Validate many generations: each validator runs once per distinct input (a fleet of a thousand
 * alike hosts verifies its units once), with as many tools at once as the machine has cores.
 */
export async function validateGenerations(gens: readonly HostGeneration[]): Promise<ValidatorResult[]> {
  const jobs = new Map<
    string,
    { readonly validator: Validator; readonly gen: HostGeneration; result?: Awaited<ReturnType<Validator["run"]>> }
  >();
  const keys = gens.map((gen) =>
    validators
      .filter((validator) => validator.appliesTo?.(gen) ?? true)
      .map((validator) => {
        const key = `${validator.name}\0${validator.key(gen)}`;
        if (!jobs.has(key)) jobs.set(key, { validator, gen });
        return key;
      }),
  );
  const queue = [...jobs.values()];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) job.result = await job.validator.run(job.gen);
  };
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), queue.length) }, worker));
  return keys.map((hostKeys) => {
    const findings: Finding[] = [];
    const ran: string[] = [];
    const skipped: Skipped[] = [];
    for (const key of hostKeys) {
      const { validator, result } = jobs.get(key)!;
      findings.push(...result!.findings);
      if (result!.skipped) skipped.push(result!.skipped);
      else ran.push(validator.name);
    }
    return { findings, ran, skipped };
  });
}

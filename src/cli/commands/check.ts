import { buildHosts } from "../../build/fleet.ts";
import { validateGenerations } from "../../check/validate.ts";
import { ReadThroughError, RoostErrors } from "../../core/index.ts";
import { openFleet, type GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";
import { formatError, formatWarning } from "../report.ts";

/** Evaluate and build every host, run the real validators, report everything, fail on any error. */
export async function checkCommand(hosts: string[], opts: GlobalOptions & { verbose: boolean; fix?: boolean }): Promise<number> {
  const fleet = await openFleet(opts, hosts);
  if (opts.fix && fleet.fleet.secrets) {
    // Secrets nobody needs to choose: generate the ones the fleet uses and lacks.
    await (await import("./secrets.ts")).secretsGenerate([], { ...opts, length: 32, force: false });
  }
  let failed = 0;
  const builds = buildHosts(fleet, hosts);
  const built = builds.flatMap((b) => ("generation" in b ? [b.generation] : []));
  const results = new Map((await validateGenerations(built)).map((r, i) => [built[i]!.host, r]));
  const failedHosts = new Set(builds.flatMap((b) => ("error" in b ? [b.host] : [])));
  for (const b of builds) {
    if ("error" in b) {
      failed++;
      console.log(`✗ ${b.host}\n${indent(formatHostError(b.error, failedHosts, opts.debug))}`);
      continue;
    }
    const result = results.get(b.host)!;
    const errors = result.findings.filter((f) => f.level === "error");
    const notes = result.findings.filter((f) => f.level === "note");
    if (errors.length) failed++;
    const ran = result.ran.length ? `, ${result.ran.join(", ")}` : "";
    console.log(`${errors.length ? "✗" : "✓"} ${b.host}  (evaluated, built${ran})`);
    for (const w of b.generation.warnings) console.log(indent(formatWarning(w)));
    for (const f of errors) console.log(indent(`error: ${f.validator}: ${f.message}`));
    if (opts.verbose) for (const f of notes) console.log(indent(`note: ${f.validator}: ${f.message}`));
    else for (const line of notesSummary(notes.map((n) => n.message))) console.log(indent(line));
    for (const s of result.skipped) console.log(indent(`not run: ${s.validator}: ${s.reason}`));
  }
  const total = hosts.length || fleet.hosts.size;
  console.log(failed ? `\n${failed} of ${total} hosts failed the check` : `\nall ${total} hosts passed the check`);
  return failed ? exitCodes.failed : exitCodes.ok;
}

/** A host's errors; one that another host's error caused, in one line when that host's is shown too. */
function formatHostError(error: unknown, failedHosts: ReadonlySet<string>, debug: boolean): string {
  const parts = error instanceof RoostErrors ? error.errors : [error];
  const shownElsewhere = (e: unknown): e is ReadThroughError => e instanceof ReadThroughError && failedHosts.has(e.via[e.via.length - 1]!);
  if (!debug && parts.some(shownElsewhere)) return parts.map((e) => (shownElsewhere(e) ? e.short : formatError(e, debug))).join("\n\n");
  return formatError(error, debug);
}

/** What the notes are, counted, for a check without --verbose. */
function notesSummary(notes: readonly string[]): string[] {
  const commands = notes.filter((n) => /Command \S+ is not executable/.test(n)).length;
  const others = notes.length - commands;
  const lines: string[] = [];
  if (commands === 1) lines.push("1 command in a unit is not on this machine; the host's packages provide it (roost check -v lists it)");
  if (commands > 1)
    lines.push(`${commands} commands in units are not on this machine; the host's packages provide them (roost check -v lists them)`);
  if (others)
    lines.push(`${others} other note${others === 1 ? "" : "s"} from the validators (roost check -v shows ${others === 1 ? "it" : "them"})`);
  return lines;
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "    ");
}

import { createTwoFilesPatch } from "diff";
import type { HostPlan } from "./plan.ts";

export interface Colours {
  readonly green: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly bold: (s: string) => string;
}

export const noColours: Colours = { green: (s) => s, red: (s) => s, yellow: (s) => s, bold: (s) => s };

export function ansiColours(): Colours {
  const wrap = (code: number) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
  return { green: wrap(32), red: wrap(31), yellow: wrap(33), bold: wrap(1) };
}

/** Old and new contents of a changed file, when both are text worth showing. */
export interface FileDiff {
  readonly path: string;
  readonly before: string | null;
  readonly after: string | null;
}

/** A plan for people: one block per host, unified diffs of changed text files. */
export function formatPlan(plan: HostPlan, diffs: readonly FileDiff[], c: Colours = noColours): string {
  const out: string[] = [];
  const short = (id: string | null) => (id ? id.slice(0, 12) : "(nothing)");
  out.push(c.bold(`${plan.host}: ${short(plan.from)} → ${short(plan.to)}${plan.unchanged ? "  (no changes)" : ""}`));
  for (const d of plan.drift) {
    out.push(
      c.yellow(
        `  drift: ${d.path} was ${d.kind === "missing" ? "deleted" : "edited"} on the host since the last deploy; the deploy restores it and keeps the edited copy under /var/lib/roost/drift/`,
      ),
    );
  }
  if (plan.unchanged) return out.join("\n");
  const section = (label: string, items: readonly string[], mark: (s: string) => string) => {
    if (items.length) out.push(`  ${label.padEnd(9)} ${items.map(mark).join(", ")}`);
  };
  section("files", plan.files.added, (p) => c.green(`+${p}`));
  section("", plan.files.changed, (p) => c.yellow(`~${p}`));
  section("", plan.files.removed, (p) => c.red(`-${p}`));
  section("start", plan.units.start, c.green);
  section("restart", plan.units.restart, c.yellow);
  section("reload", plan.units.reload, c.yellow);
  section("stop", plan.units.stop, c.red);
  section("install", plan.packages.install, c.green);
  section("users", plan.users.create, c.green);
  section("groups", plan.groups.create, c.green);
  section("dirs", plan.directories.create, c.green);
  section("secrets", plan.secrets.added, (n) => c.green(`+${n}`));
  section("", plan.secrets.changed, (n) => c.yellow(`~${n} (secret changed)`));
  section("", plan.secrets.removed, (n) => c.red(`-${n}`));
  out.push(`  transfer  ${plan.transfer.objects} object${plan.transfer.objects === 1 ? "" : "s"}, ${plan.transfer.bytes} bytes`);
  for (const url of plan.transfer.downloads) out.push(`  download  ${url} (by the host, checked against its sha256)`);
  for (const d of diffs) {
    const patch = createTwoFilesPatch(
      d.before === null ? "/dev/null" : `a${d.path}`,
      d.after === null ? "/dev/null" : `b${d.path}`,
      d.before ?? "",
      d.after ?? "",
      "",
      "",
      { context: 3 },
    );
    for (const line of patch.split("\n").slice(1)) {
      if (!line) continue;
      const coloured =
        line.startsWith("+") && !line.startsWith("+++")
          ? c.green(line)
          : line.startsWith("-") && !line.startsWith("---")
            ? c.red(line)
            : line;
      out.push(`    ${coloured}`);
    }
  }
  return out.join("\n");
}

import { reportHosts, type HostStatusReport } from "../../deploy/report.ts";
import type { Host } from "../../host/fleet.ts";
import { openFleet, reachableHost, selectHosts, type GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";
import { withSsh } from "../ssh-state.ts";

/** Each selected host's state, asked of all at once; exit 1 if any is unreachable or unhealthy. */
export async function statusCommand(selectors: string[], opts: GlobalOptions & { json: boolean }): Promise<number> {
  const fleet = await openFleet(opts);
  const hosts = selectHosts(fleet, selectors).map((name): [string, Host | Error] => {
    try {
      return [name, reachableHost(fleet, name)];
    } catch (e) {
      return [name, e instanceof Error ? e : new Error(String(e))];
    }
  });
  const reports = await withSsh(opts.sshConfig, (ssh) => reportHosts(hosts, ssh));
  if (opts.json) console.log(JSON.stringify(reports, null, 2));
  else console.log(reports.map((r) => formatStatus(r)).join("\n\n"));
  return reports.every((r) => r.healthy) ? exitCodes.ok : exitCodes.failed;
}

const useColour = () => process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (s: string) => (useColour() ? `\x1b[${code}m${s}\x1b[0m` : s);
const ok = paint(32)("✓");
const bad = paint(31)("✗");
const note = paint(33)("!");

/** One host: a headline marked ✓ or ✗, then one line per unit, check and drifted file. */
export function formatStatus(r: HostStatusReport, now = new Date()): string {
  const report = r.report;
  if (!report) return `${bad} ${r.host}  ${r.reachable ? "no report" : "unreachable"}\n    ${r.error ?? ""}`;
  const lines: string[] = [];
  const generation = report.current ? report.current.slice(0, 12) : "no generation";
  const since = report.activated ? `, activated ${report.activated} (${ago(new Date(report.activated), now)})` : "";
  lines.push(`${r.healthy ? ok : bad} ${r.host}  ${generation}${since}`);
  if (report.pending)
    lines.push(
      `    ${note} switch from ${report.pending.previous.slice(0, 12)} not confirmed yet: the host goes back unless a deploy confirms it`,
    );
  if (report.down.length === 0) lines.push(`    ${ok} units: none failed`);
  for (const u of report.down) lines.push(`    ${bad} unit ${u.unit}: ${u.state}`);
  if (report.checks.length === 0) lines.push(`    ${ok} checks: none declared`);
  for (const c of report.checks) {
    if (c.result === "ok") lines.push(`    ${ok} check ${c.name}`);
    else if (c.result === "failed") lines.push(`    ${bad} check ${c.name}: ${c.reason}`);
    else lines.push(`    ${note} check ${c.name} skipped: ${c.reason}`);
  }
  if (report.drift.length === 0) lines.push(`    ${ok} files: no drift`);
  for (const d of report.drift)
    lines.push(`    ${note} drift: ${d.path} ${d.kind === "changed" ? "edited on the host" : "deleted on the host"}`);
  return lines.join("\n");
}

function ago(then: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

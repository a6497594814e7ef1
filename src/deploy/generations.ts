import type { Host } from "../host/fleet.ts";
import { RoostError } from "../core/index.ts";
import { parseGenerations, parseHostLine } from "./protocol.ts";
import { lockHolder, sshTarget } from "./deploy-host.ts";
import { HostSession } from "./session.ts";
import type { SshSettings } from "./ssh.ts";

export interface GenerationInfo {
  readonly id: string;
  /** When the host first switched to it (ISO time), or null if it never did. */
  readonly activated: string | null;
  readonly current: boolean;
  readonly bytes: number;
}

/** The generations stored on a host, newest first. */
export async function listGenerations(name: string, host: Host, ssh: SshSettings): Promise<GenerationInfo[]> {
  const target = sshTarget(name, host, ssh);
  try {
    const r = await target.exec("generations", []);
    if (r.code !== 0) throw new RoostError(`${name}: cannot list generations`, [r.stderr.trim() || r.stdout.trim()]);
    return parseGenerations(r.stdout).sort((a, b) => (b.activated ?? "").localeCompare(a.activated ?? ""));
  } finally {
    await target.close();
  }
}

/**
 * Switch a host back to an earlier generation already on it (the previous one by default), with
 * the same activation, health checks and confirmation as a deploy.
 */
export async function rollbackHost(
  name: string,
  host: Host,
  ssh: SshSettings,
  targetId?: string,
  confirmTimeout = 60,
): Promise<{ from: string | null; to: string; output: string }> {
  const generations = await listGenerations(name, host, ssh);
  const current = generations.find((g) => g.current)?.id ?? null;
  const to = targetId ? generations.find((g) => g.id.startsWith(targetId))?.id : generations.find((g) => !g.current && g.activated)?.id;
  if (!to) {
    throw new RoostError(
      targetId ? `${name} has no generation ${targetId}` : `${name} has no earlier generation to go back to`,
      generations.map((g) => `${g.id}${g.current ? " (current)" : ""}`),
    );
  }
  if (to === current) return { from: current, to, output: "already current" };
  const target = sshTarget(name, host, ssh);
  const session = await HostSession.open(target, lockHolder(), [], false);
  try {
    const lines: string[] = [];
    const r = await target.exec("receive", [to, String(confirmTimeout), "switch-only"], { onLine: (l) => lines.push(l) });
    if (r.code !== 0) {
      throw new RoostError(
        `${name}: rollback to ${to.slice(0, 12)} failed`,
        lines.map(parseHostLine).flatMap((l) => (l.kind === "error" ? [l.message] : [])),
      );
    }
    const confirmed = await target.exec("confirm", [to, "1000"], { fresh: true });
    if (confirmed.code !== 0)
      throw new RoostError(`${name}: rollback to ${to.slice(0, 12)} could not be confirmed`, [confirmed.stdout.trim()]);
    return { from: current, to, output: lines.join("\n") };
  } finally {
    await session.close();
    await target.close();
  }
}

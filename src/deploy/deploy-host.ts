import type { Proc } from "../start-all.ts";
import os from "node:os";
import type { HostGeneration } from "../build/generation.ts";
import { RoostError } from "../core/index.ts";
import type { Host } from "../host/fleet.ts";
import { parseAddress } from "./address.ts";
import { planHost, type HostPlan } from "./plan.ts";
import { ActivationReport, type ActivationActions } from "./protocol.ts";
import { type HostSession, SessionRequest } from "./session.ts";
import { type ExecResult, SshTarget, type SshSettings } from "./ssh.ts";
import { generationObjects, neededObjects, uploadStream } from "./upload.ts";

export interface DeploySettings {
  readonly ssh: SshSettings;
  /** Overrides each host's deployment.confirmTimeout (seconds). */
  readonly confirmTimeout?: number;
  /** Told about each phase, for the progress view. */
  readonly onPhase?: (phase: string) => void;
  /**
   * Waited for before sending: the fleet bounds how many hosts send and activate at once, while
   * every host takes its lock and reports at once (an unreachable one holds up no other).
   */
  readonly slot?: () => Promise<() => void>;
}

/** One span of a deploy: measured on the controller, or reported by the host from its own clock. */
export interface PhaseTiming {
  readonly phase: string;
  readonly ms: number;
  readonly on: "controller" | "host";
  readonly skipped?: boolean;
}

export interface HostResult {
  readonly host: string;
  readonly status: "deployed" | "unchanged" | "failed";
  /** Failed because the host could not be reached (no SSH connection within the connect timeout). */
  readonly unreachable?: boolean;
  readonly from: string | null;
  readonly to: string;
  /** What the activation did, from its own report. */
  readonly actions: ActivationActions;
  readonly plan: HostPlan | null;
  readonly error?: string;
  /** The host went back to the generation it had (after a failed activation or health check). */
  readonly rolledBack?: boolean;
  /** Things worth telling that are not failures (a lock left by a dead deploy). */
  readonly notes: readonly string[];
  readonly roundTrips: number;
  readonly seconds: number;
  /** Where the time went, in order (`roost deploy --timings`). */
  readonly timings: readonly PhaseTiming[];
}

export function lockHolder(): string {
  return `${os.userInfo().username}@${os.hostname()} (pid ${process.pid}) since ${new Date().toISOString()}`;
}

export function sshTarget(name: string, host: Host, settings: SshSettings): SshTarget {
  return new SshTarget(name, parseAddress(host.address, name), host.hostKey, settings);
}

/** A host whose lock and state are asked for before its generation is built: the round trip runs beside the build. */
export interface StartedHost {
  readonly ssh: SshTarget;
  readonly request: SessionRequest;
}

export function startHost(name: string, host: Host, settings: SshSettings): StartedHost {
  return startHosts([[name, host]], settings)[0]!;
}

/** Every host's lock and state asked for at once, with their ssh commands started together. */
export function startHosts(hosts: readonly (readonly [string, Host])[], settings: SshSettings): StartedHost[] {
  const targets = hosts.map(([name, host]) => sshTarget(name, host, settings));
  const requests = SessionRequest.startAll(targets, lockHolder(), false);
  return targets.map((ssh, i) => ({ ssh, request: requests[i]! }));
}

/** A started host that will not be deployed after all (its build failed). */
export async function cancelHost({ ssh, request }: StartedHost): Promise<void> {
  await request.cancel();
  await ssh.close();
}

/**
 * Deploy one generation to one host: take the lock and read the host's state (one round trip),
 * send only the objects it lacks and activate (one), confirm over a new connection (one). A host
 * already on this generation, with no drift, costs the first round trip only.
 */
export async function deployHost(
  name: string,
  host: Host,
  gen: HostGeneration,
  settings: DeploySettings,
  begun: StartedHost = startHost(name, host, settings.ssh),
): Promise<HostResult> {
  const started = Date.now();
  const ssh = begun.ssh;
  const notes: string[] = [];
  const report = new ActivationReport();
  const actions = report.actions;
  const timings: PhaseTiming[] = [];
  let lapStart = performance.now();
  const lap = (phase: string) => {
    const now = performance.now();
    timings.push({ phase, ms: Math.round(now - lapStart), on: "controller" });
    lapStart = now;
  };
  const result = (status: HostResult["status"], extra: Partial<HostResult> = {}): HostResult => ({
    host: name,
    status,
    from: null,
    to: gen.id,
    actions,
    plan: null,
    notes,
    roundTrips: ssh.roundTrips,
    seconds: (Date.now() - started) / 1000,
    timings,
    ...extra,
  });
  settings.onPhase?.("connecting");
  let session: HostSession | null = null;
  let release: (() => void) | undefined;
  let early: EarlyConfirm | undefined;
  try {
    session = await begun.request.open(neededObjects(gen), gen.id);
    lap("lock, status");
    const status = session.status;
    if (status.staleHolder) notes.push(`a deploy by ${status.staleHolder} did not finish; its lock was released`);
    if (status.current === gen.id && status.drift.length === 0) {
      if (status.pending) {
        await confirm(ssh, gen);
        lap("confirm");
      }
      return result("unchanged", { from: status.current });
    }
    const plan = planHost(gen, status, null);
    if (status.pending && status.pending.next !== gen.id) {
      // Switching on from a generation nobody confirmed would make it the one to roll back to.
      throw new RoostError(
        `${name}: an earlier switch to ${status.pending.next.slice(0, 12)} was never confirmed`,
        [`the host goes back to ${status.pending.previous.slice(0, 12)} by itself within deployment.confirmTimeout`],
        "deploy again once it has",
      );
    }
    const confirmTimeout = settings.confirmTimeout ?? gen.manifest.deployment.confirmTimeout;
    if (settings.slot) {
      settings.onPhase?.("waiting for a slot");
      release = await settings.slot();
      lap("waiting for a slot");
    }
    // Downloads are among the objects the host lacks, but the host fetches those itself.
    const sending = [...generationObjects(gen).keys()].filter((h) => status.missing.has(h)).length;
    settings.onPhase?.(`sending ${sending} object${sending === 1 ? "" : "s"}`);
    let hostMs = 0;
    let going: Promise<void> | undefined;
    const received = await ssh.exec(
      "receive",
      [gen.id, String(Math.ceil(confirmTimeout)), status.current === gen.id ? "switch-only" : "upload"],
      {
        input: status.current === gen.id ? "" : await uploadStream(gen, status.missing),
        onLine: (line) => {
          const parsed = report.add(line);
          if (parsed.kind === "step") {
            settings.onPhase?.(`activating: ${parsed.step}`);
            // Every change is in place once health checks start: a login made from here on proves
            // that the switch left the host reachable, so the confirming connection opens now.
            if (parsed.step === "health" && !early) early = EarlyConfirm.open(ssh, gen);
          } else if (parsed.kind === "done" && parsed.id === gen.id && early && !going && session!.child.exitCode === null) {
            // The host has switched and committed this generation: confirm now, without waiting for
            // its log stream to close.
            settings.onPhase?.("confirming");
            going = early.go(confirmTimeout);
            going.catch(() => {});
          } else if (parsed.kind === "timing") {
            if (parsed.step === "unpack") lap("send");
            else if (parsed.step === "launch") lap("activation start");
            else {
              timings.push({ phase: parsed.step, ms: parsed.ms, on: "host", ...(parsed.skipped ? { skipped: true } : {}) });
              hostMs += parsed.ms;
            }
          }
        },
      },
    );
    const now = performance.now();
    timings.push({ phase: "activation log to controller", ms: Math.max(0, Math.round(now - lapStart - hostMs)), on: "controller" });
    lapStart = now;
    if (going) {
      // The go was sent once the host committed: its answer decides.
      early = undefined;
      await going;
      lap("confirm");
      return result("deployed", { from: status.current, plan });
    }
    if (received.code !== 0) {
      const reason = report.reason() ?? (received.stderr.trim() || `activation exited ${received.code}`);
      return result("failed", { from: status.current, plan, error: reason, rolledBack: report.rolledBack });
    }
    if (session.child.exitCode !== null)
      throw new RoostError(
        `${name}: the connection that holds the host's lock was lost before confirmation`,
        [],
        `the host rolls back by itself within ${confirmTimeout} s`,
      );
    settings.onPhase?.("confirming");
    if (early) {
      const pending = early;
      early = undefined;
      await pending.go(confirmTimeout);
    } else await confirm(ssh, gen, confirmTimeout);
    lap("confirm");
    return result("deployed", { from: status.current, plan });
  } catch (e) {
    const error = e instanceof RoostError ? [e.headline, ...e.details].join(": ") : e instanceof Error ? e.message : String(e);
    // A host whose key is not the pinned one answered: that is a failure to look into, not an absence.
    const unreachable =
      session === null &&
      e instanceof RoostError &&
      e.headline.startsWith("cannot reach ") &&
      !/Host key verification failed|REMOTE HOST IDENTIFICATION/.test(e.details.join(" "));
    return result("failed", { error, from: session?.status.current ?? null, ...(unreachable ? { unreachable } : {}) });
  } finally {
    early?.cancel();
    release?.();
    await session?.close();
    await ssh.close();
    lap("release");
  }
}

/**
 * A confirmation whose login is made while the activation runs its health checks; it confirms only
 * when told to go, after the activation succeeded and the lock is still held.
 */
class EarlyConfirm {
  private constructor(
    readonly ssh: SshTarget,
    readonly child: Proc,
    readonly outcome: Promise<{ code: number; stdout: string; stderr: string }>,
  ) {}

  static open(ssh: SshTarget, gen: HostGeneration): EarlyConfirm {
    const child = ssh.spawn("confirm", [gen.id, String(gen.manifest.deployment.keepGenerations), "wait"], { fresh: true });
    child.stdin!.on("error", () => {});
    const outcome = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (d) => (stdout += d));
      child.stderr!.on("data", (d) => (stderr += d));
      child.on("error", (e) => resolve({ code: 255, stdout, stderr: stderr + String(e) }));
      child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
    return new EarlyConfirm(ssh, child, outcome);
  }

  async go(timeout: number): Promise<void> {
    this.child.stdin!.end("go\n");
    const r = await this.outcome;
    if (r.code === 255) {
      throw new RoostError(
        `${this.ssh.host}: a new SSH connection failed after the switch`,
        [this.ssh.unreachable(r.stderr).details.join(" ")],
        `the host rolls back by itself within ${timeout} s`,
      );
    }
    checkConfirmed(this.ssh, r);
  }

  /** No go: the host keeps its rollback timer. */
  cancel(): void {
    if (this.child.exitCode === null) this.child.stdin!.end();
  }
}

function checkConfirmed(ssh: SshTarget, confirmed: { code: number; stdout: string; stderr: string }): void {
  if (confirmed.code === 3) {
    throw new RoostError(
      `${ssh.host}: the switch was rolled back before it was confirmed`,
      [confirmed.stdout.trim()],
      "the host did not stay reachable, or confirmation came after deployment.confirmTimeout",
    );
  }
  if (confirmed.code !== 0) throw new RoostError(`${ssh.host}: confirmation failed`, [confirmed.stderr.trim() || confirmed.stdout.trim()]);
}

/** Prove a new SSH login works after the switch, then disarm the host's rollback timer. */
async function confirm(ssh: SshTarget, gen: HostGeneration, timeout = gen.manifest.deployment.confirmTimeout): Promise<void> {
  let confirmed: ExecResult;
  try {
    confirmed = await ssh.exec("confirm", [gen.id, String(gen.manifest.deployment.keepGenerations)], { fresh: true });
  } catch (e) {
    throw new RoostError(
      `${ssh.host}: a new SSH connection failed after the switch`,
      [e instanceof RoostError ? e.details.join(" ") : String(e)],
      `the host rolls back by itself within ${timeout} s`,
    );
  }
  checkConfirmed(ssh, confirmed);
}

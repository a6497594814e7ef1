import { RoostError } from "../core/index.ts";
import { parseHostLine, parseStatus, type HostStatus } from "./protocol.ts";
import { startAll, type Proc } from "../start-all.ts";
import { toolsMissing, type SshTarget } from "./ssh.ts";

export type { HostStatus };

type Outcome = "ready" | "locked" | "closed";

/**
 * A deploy's hold on one host: the host-side lock (flock) is held for as long as this session's SSH
 * command runs and hears a heartbeat, so it goes away by itself when the controller dies or the
 * network fails. Opening it also reports the host's state: one round trip.
 */
export class HostSession {
  readonly #heartbeat: NodeJS.Timeout;

  constructor(
    readonly status: HostStatus,
    readonly child: Proc,
  ) {
    // The host releases the lock after 20 s without a line from us.
    this.#heartbeat = setInterval(() => child.stdin!.write("\n"), 5000);
    this.#heartbeat.unref();
  }

  static open(ssh: SshTarget, holder: string, objects: readonly string[], withManifest: boolean): Promise<HostSession> {
    return SessionRequest.start(ssh, holder, withManifest).open(objects);
  }

  /** Release the lock. */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    if (this.child.exitCode !== null) return;
    if (this.status.released) {
      // The host let the lock go itself: nothing is left to say, or to wait for.
      this.child.stdin!.end();
      for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr])
        (handle as { unref?: () => void } | null)?.unref?.();
      return;
    }
    await new Promise<void>((resolve) => {
      this.child.once("close", () => resolve());
      this.child.stdin!.end("done\n");
    });
  }
}

/**
 * A session asked for before its objects are known: the host takes its lock and starts reporting
 * while the controller builds the generation; `open` then names the objects to look for. A deploy
 * starts these first, so the round trip runs beside the build.
 */
export class SessionRequest {
  readonly #lines: string[] = [];
  #stderr = "";
  #silent = false;
  readonly #outcome: Promise<Outcome>;

  private constructor(
    readonly ssh: SshTarget,
    readonly holder: string,
    readonly withManifest: boolean,
    readonly child: Proc,
  ) {
    // The host's first line comes at once: none within the connect timeout (a host that went away
    // behind a kept connection, which ssh notices only later) is an unreachable host.
    const waitSeconds = ssh.settings.connectTimeoutSeconds ?? 10;
    let giveUp = () => {};
    const noAnswer = setTimeout(() => giveUp(), waitSeconds * 1000);
    child.stdin!.on("error", () => {});
    child.stderr!.on("data", (d) => (this.#stderr += d));
    this.#outcome = new Promise<Outcome>((resolve) => {
      let partial = "";
      child.stdout!.on("data", (d: Buffer) => {
        clearTimeout(noAnswer);
        partial += d.toString("utf8");
        const parts = partial.split("\n");
        partial = parts.pop()!;
        for (const line of parts) {
          this.#lines.push(line);
          const kind = parseHostLine(line).kind;
          if (kind === "ready" || kind === "locked") resolve(kind);
        }
      });
      child.on("close", () => {
        clearTimeout(noAnswer);
        resolve("closed");
      });
      child.on("error", (e) => {
        clearTimeout(noAnswer);
        this.#stderr += String(e);
        resolve("closed");
      });
      giveUp = () => {
        this.#silent = true;
        child.kill();
        // A multiplexed client hands its pipes to the connection's master, which holds them until
        // it notices the host is gone: stop waiting for them now.
        for (const stream of [child.stdin!, child.stdout!, child.stderr!]) stream.destroy();
        resolve("closed");
      };
    });
  }

  static start(ssh: SshTarget, holder: string, withManifest: boolean): SessionRequest {
    return SessionRequest.startAll([ssh], holder, withManifest)[0]!;
  }

  /** One request per host, their ssh commands started together (startAll). */
  static startAll(targets: readonly SshTarget[], holder: string, withManifest: boolean): SessionRequest[] {
    const args = [holder, withManifest ? "1" : "0"];
    const children = startAll(targets.map((ssh) => ssh.command("status", args)));
    return targets.map((ssh, i) => new SessionRequest(ssh, holder, withManifest, ssh.started(children[i]!)));
  }

  /**
   * Name the objects the generation needs; resolves once the host has reported, holding its lock,
   * unless it was already on `want` with nothing to do, and let it go (status.released).
   */
  async open(objects: readonly string[], want?: string, retried = false): Promise<HostSession> {
    const { ssh, child } = this;
    child.stdin!.write(`${objects.map((h) => `${h}\n`).join("")}${want ? `want ${want}\n` : ""}.\n`);
    const outcome = await this.#outcome;
    if (outcome === "locked") {
      child.stdin!.end();
      const who = this.#lines.map(parseHostLine).find((l) => l.kind === "locked")!;
      throw new RoostError(
        `${ssh.host} is being deployed by someone else`,
        [`lock held by ${who.kind === "locked" ? who.holder : "someone"}`],
        "wait for that deploy to finish; the lock goes away by itself if its holder dies",
      );
    }
    if (outcome === "closed") {
      const waitSeconds = ssh.settings.connectTimeoutSeconds ?? 10;
      if (this.#silent) throw ssh.unreachable(`no answer within ${waitSeconds} s`);
      if (child.exitCode === 255) throw ssh.unreachable(this.#stderr);
      if (child.exitCode === toolsMissing && !retried)
        return SessionRequest.start(ssh, this.holder, this.withManifest).open(objects, want, true);
      throw new RoostError(`${ssh.host}: could not read the host's state`, [
        this.#stderr.trim() || this.#lines.join(" ") || `exit ${child.exitCode}`,
      ]);
    }
    ssh.toolsAnswered();
    return new HostSession(parseStatus(this.#lines), child);
  }

  /** Not deployed after all (its build failed): the host reports, and releases its lock at once. */
  async cancel(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const closed = new Promise<void>((resolve) => this.child.once("close", () => resolve()));
    this.child.stdin!.end(".\ndone\n");
    await closed;
  }
}

import type { ChildProcess } from "node:child_process";
import { RoostError } from "../core/index.ts";
import { parseHostLine, parseStatus, type HostStatus } from "./protocol.ts";
import type { SshTarget } from "./ssh.ts";

export type { HostStatus };

/**
 * A deploy's hold on one host: the host-side lock (flock) is held for as long as this session's SSH
 * command runs and hears a heartbeat, so it goes away by itself when the controller dies or the
 * network fails. Opening it also reports the host's state: one round trip.
 */
export class HostSession {
  readonly #heartbeat: NodeJS.Timeout;

  private constructor(
    readonly status: HostStatus,
    readonly child: ChildProcess,
  ) {
    // The host releases the lock after 20 s without a line from us.
    this.#heartbeat = setInterval(() => child.stdin!.write("\n"), 5000);
    this.#heartbeat.unref();
  }

  static async open(ssh: SshTarget, holder: string, objects: readonly string[], withManifest: boolean): Promise<HostSession> {
    const child = ssh.spawn("status", [holder, withManifest ? "1" : "0"]);
    // The host's first line comes at once: none within the connect timeout (a host that went away
    // behind a kept connection, which ssh notices only later) is an unreachable host.
    const waitSeconds = ssh.settings.connectTimeoutSeconds ?? 10;
    let silent = false;
    let giveUp = () => {};
    const noAnswer = setTimeout(() => giveUp(), waitSeconds * 1000);
    child.stdin!.on("error", () => {});
    child.stdin!.write(objects.map((h) => `${h}\n`).join("") + ".\n");
    const lines: string[] = [];
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const outcome = await new Promise<"ready" | "locked" | "closed">((resolve) => {
      let partial = "";
      child.stdout!.on("data", (d: Buffer) => {
        clearTimeout(noAnswer);
        partial += d.toString("utf8");
        const parts = partial.split("\n");
        partial = parts.pop()!;
        for (const line of parts) {
          lines.push(line);
          const kind = parseHostLine(line).kind;
          if (kind === "ready" || kind === "locked") resolve(kind);
        }
      });
      child.on("close", () => resolve("closed"));
      giveUp = () => {
        silent = true;
        child.kill();
        // A multiplexed client hands its pipes to the connection's master, which holds them until
        // it notices the host is gone: stop waiting for them now.
        for (const stream of [child.stdin!, child.stdout!, child.stderr!]) stream.destroy();
        resolve("closed");
      };
    });
    clearTimeout(noAnswer);
    if (outcome === "locked") {
      child.stdin!.end();
      const who = lines.map(parseHostLine).find((l) => l.kind === "locked")!;
      throw new RoostError(
        `${ssh.host} is being deployed by someone else`,
        [`lock held by ${who.kind === "locked" ? who.holder : "someone"}`],
        "wait for that deploy to finish; the lock goes away by itself if its holder dies",
      );
    }
    if (outcome === "closed") {
      if (silent) throw ssh.unreachable(`no answer within ${waitSeconds} s`);
      if (child.exitCode === 255) throw ssh.unreachable(stderr);
      throw new RoostError(`${ssh.host}: could not read the host's state`, [stderr.trim() || lines.join(" ") || `exit ${child.exitCode}`]);
    }
    return new HostSession(parseStatus(lines), child);
  }

  /** Release the lock. */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once("close", () => resolve());
      this.child.stdin!.end("done\n");
    });
  }
}

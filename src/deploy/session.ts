import type { ChildProcess } from "node:child_process";
import { RoostError } from "../core/index.ts";
import type { Manifest } from "../build/manifest.ts";
import { hostScripts } from "./host-scripts.ts";
import type { SshTarget } from "./ssh.ts";

/** What the host told us when we took its lock. */
export interface HostStatus {
  readonly current: string | null;
  readonly pending: { readonly next: string; readonly previous: string } | null;
  readonly missing: ReadonlySet<string>;
  readonly drift: readonly { readonly path: string; readonly kind: "changed" | "missing" }[];
  /** The holder of a lock whose deploy died without releasing it. */
  readonly staleHolder: string | null;
  readonly manifest: Manifest | null;
}

/**
 * A deploy's hold on one host: the host-side lock (flock) is held for as long as this session's SSH
 * command runs and hears a heartbeat, so it goes away by itself when the controller dies or the
 * network fails. Opening it also reports the host's state: one round trip.
 */
export class HostSession {
  readonly #heartbeat: NodeJS.Timeout;

  private constructor(readonly status: HostStatus, readonly child: ChildProcess) {
    // The host releases the lock after 20 s without a line from us.
    this.#heartbeat = setInterval(() => child.stdin!.write("\n"), 5000);
    this.#heartbeat.unref();
  }

  static async open(ssh: SshTarget, holder: string, objects: readonly string[], withManifest: boolean): Promise<HostSession> {
    const child = ssh.spawn(hostScripts.status, [holder, withManifest ? "1" : "0"]);
    child.stdin!.on("error", () => {});
    child.stdin!.write(objects.map((h) => `${h}\n`).join("") + ".\n");
    const lines: string[] = [];
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const outcome = await new Promise<"ready" | "locked" | "closed">((resolve) => {
      let partial = "";
      child.stdout!.on("data", (d: Buffer) => {
        partial += d.toString("utf8");
        const parts = partial.split("\n");
        partial = parts.pop()!;
        for (const line of parts) {
          lines.push(line);
          if (line === "ready") resolve("ready");
          if (line.startsWith("locked ")) resolve("locked");
        }
      });
      child.on("close", () => resolve("closed"));
    });
    if (outcome === "locked") {
      child.stdin!.end();
      const who = lines.find((l) => l.startsWith("locked "))!.slice("locked ".length);
      throw new RoostError(`${ssh.host} is being deployed by someone else`, [`lock held by ${who}`], "wait for that deploy to finish; the lock goes away by itself if its holder dies");
    }
    if (outcome === "closed") {
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

function parseStatus(lines: readonly string[]): HostStatus {
  let current: string | null = null;
  let pending: HostStatus["pending"] = null;
  let staleHolder: string | null = null;
  let manifest: Manifest | null = null;
  const missing = new Set<string>();
  const drift: { path: string; kind: "changed" | "missing" }[] = [];
  for (const line of lines) {
    const [word, ...rest] = line.split(" ");
    const value = rest.join(" ");
    if (word === "current") current = value === "-" ? null : value;
    else if (word === "pending") pending = { next: rest[0]!, previous: rest[1]! };
    else if (word === "missing") missing.add(value);
    else if (word === "drift") drift.push({ kind: rest[0] as "changed" | "missing", path: rest.slice(1).join(" ") });
    else if (word === "stale") staleHolder = value;
    else if (word === "manifest") manifest = JSON.parse(Buffer.from(value, "base64").toString("utf8")) as Manifest;
  }
  return { current, pending, missing, drift, staleHolder, manifest };
}

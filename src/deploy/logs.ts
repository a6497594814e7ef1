import type { Proc } from "../start-all.ts";
import { RoostError } from "../core/index.ts";
import type { Host } from "../host/fleet.ts";
import { sshTarget } from "./deploy-host.ts";
import type { JournalOutput } from "./protocol.ts";
import { type SshSettings, toolsMissing } from "./ssh.ts";

export interface LogsQuery {
  /** A unit name as checked by `unitName`, or null for the whole journal. */
  readonly unit: string | null;
  /** As `journalSince` returns it, or null. */
  readonly since: string | null;
  readonly lines: number | null;
  readonly follow: boolean;
  readonly output: JournalOutput;
  /** On the monitoring server, the journals hosts shipped there: "*" every host's, or one host's; null: the host's own. */
  readonly fleet?: string | null;
}

/** A host name as the monitoring server stores its journal under it (logs.sh checks the same). */
export function fleetHostName(text: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(text) && text.length <= 253;
}

/** The unit name, checked as logs.sh checks it, or why it is not one. */
export function unitName(text: string): { unit: string } | { why: string } {
  if (text.length > 256) return { why: "it is longer than 256 characters" };
  if (!/^[A-Za-z0-9][A-Za-z0-9:_.\\@-]*$/.test(text))
    return { why: "a unit name starts with a letter or digit and has only letters, digits and : _ . \\ @ -" };
  return { unit: text };
}

/**
 * --since as one journalctl argument: a duration back from now (30s, 10m, 10min, 1h, 2d, 1w) becomes
 * "-1h"; a time "YYYY-MM-DD[ HH:MM[:SS]]" (a T may stand for the space) is passed as it is.
 */
export function journalSince(text: string): string | null {
  const d = /^([1-9]\d{0,8})(s|sec|m|min|h|d|w)$/.exec(text);
  if (d) return `-${d[1]}${d[2] === "sec" ? "s" : d[2]}`;
  const t = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?$/.exec(text);
  if (t) return t[2] ? `${t[1]} ${t[2]}` : t[1]!;
  return null;
}

/**
 * Stream a host's journal to `out` over its kept connection. With `follow`, it runs until `stop`
 * is called (the host's journalctl ends when our end of the connection closes its input).
 * Resolves to journalctl's exit code (0 after a stop).
 */
export function streamLogs(
  name: string,
  host: Host,
  settings: SshSettings,
  query: LogsQuery,
  out: NodeJS.WritableStream,
): { done: Promise<number>; stop: () => void } {
  const ssh = sshTarget(name, host, settings);
  const args = [
    query.unit ?? "-",
    query.since ?? "-",
    query.lines === null ? "-" : String(query.lines),
    query.follow ? "1" : "0",
    query.output,
    ...(query.fleet == null ? [] : [query.fleet]),
  ];
  let child: Proc;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    child.stdin!.end();
    // A connection that does not close by itself within a few seconds is ended here.
    setTimeout(() => child.kill("SIGTERM"), 3000).unref();
  };
  // A reader that went away (`roost logs … | head`) ends the stream like a stop.
  out.on("error", stop);
  const done = new Promise<number>((resolve, reject) => {
    const begin = (again: boolean) => {
      let stderr = "";
      child = ssh.spawn("logs", args);
      child.stdin!.on("error", () => {});
      child.stdout!.on("data", (chunk: Buffer) => {
        if (!out.write(chunk)) {
          child.stdout!.pause();
          out.once("drain", () => child.stdout!.resume());
        }
      });
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
      if (!query.follow || stopped) child.stdin!.end();
      child.on("error", reject);
      child.on("close", (code) => {
        // The host lost its entry point (nothing was written yet): once more, with the install.
        if (code === toolsMissing && !again && !stopped) return begin(true);
        void ssh.close();
        if (stopped) return resolve(0);
        if (code === 255) return reject(ssh.unreachable(stderr));
        if (code !== 0)
          return reject(new RoostError(`${name}: cannot read the journal`, stderr.trim().split("\n").filter(Boolean).slice(-5)));
        if (stderr.trim()) process.stderr.write(stderr);
        resolve(0);
      });
    };
    begin(false);
  });
  return { done, stop };
}

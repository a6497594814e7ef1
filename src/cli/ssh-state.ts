import { mkdirSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import path from "node:path";
import type { SshSettings } from "../deploy/ssh.ts";

/**
 * SSH settings for the command line: control sockets and pinned keys live in a private directory
 * ($ROOST_STATE_DIR, else ~/.cache/roost/ssh), and connections persist for two minutes so that
 * commands run one after another reuse them.
 */
export async function withSsh<T>(configFile: string | undefined, fn: (ssh: SshSettings) => Promise<T>): Promise<T> {
  const base = process.env.ROOST_STATE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), ".cache"), "roost");
  const stateDir = path.join(base, `ssh-${userInfo().uid}`);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  return fn({ stateDir, configFile, persist: true });
}

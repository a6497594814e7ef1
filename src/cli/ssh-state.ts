import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SshSettings } from "../deploy/ssh.ts";

/** A private directory for SSH control sockets and pinned keys, removed when `fn` ends. */
export async function withSsh<T>(configFile: string | undefined, fn: (ssh: SshSettings) => Promise<T>): Promise<T> {
  const stateDir = mkdtempSync(path.join(tmpdir(), "roost-ssh-"));
  try {
    return await fn({ stateDir, configFile });
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

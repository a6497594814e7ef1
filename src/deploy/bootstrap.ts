import { RoostError } from "../core/index.ts";
import type { Host } from "../host/fleet.ts";
import { sshTarget } from "./deploy-host.ts";
import { bootstrapScript, sudoersLine } from "./host-scripts.ts";
import type { SshSettings } from "./ssh.ts";

const userPattern = /^[a-z_][a-z0-9_-]{0,31}$/;

/** What `roost hosts bootstrap --print` shows: the sudoers line, and a script to run as root that installs it with the entry point. */
export function bootstrapText(user: string): string {
  checkUser(user);
  return [
    `# The one sudoers line a deploy user needs:`,
    `#   ${sudoersLine(user)}`,
    `# Run as root on the host to install it and the entry point it allows:`,
    bootstrapScript(user),
    "",
  ].join("\n");
}

/**
 * Install the entry point and a sudoers line for `user` on a host, logging in as the host's
 * configured user (root, or a user with full sudo: this is the one step that needs it).
 */
export async function bootstrapHost(name: string, host: Host, user: string, ssh: SshSettings): Promise<string> {
  checkUser(user);
  const target = sshTarget(name, host, ssh);
  try {
    const r = await target.execAsRoot(bootstrapScript(user));
    if (r.code !== 0)
      throw new RoostError(
        `${name}: bootstrap failed`,
        [r.stderr.trim() || r.stdout.trim() || `exit ${r.code}`],
        "log in as root or as a user with full sudo for this one step",
      );
    return r.stdout.trim();
  } finally {
    await target.close();
  }
}

function checkUser(user: string): void {
  if (!userPattern.test(user))
    throw new RoostError(`--user ${JSON.stringify(user)} is not a user name`, [], "a-z, 0-9, _ and -, at most 32 characters");
}

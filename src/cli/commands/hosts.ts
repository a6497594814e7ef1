import { RoostError } from "../../core/index.ts";
import { run } from "../../run-command.ts";
import { bootstrapHost, bootstrapText } from "../../deploy/bootstrap.ts";
import { openFleet, reachableHost, type GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";
import { withSsh } from "../ssh-state.ts";

/**
 * Fetch each host's ed25519 host key and print it as the hostKey to pin in the fleet file (and
 * encrypt its secrets to). The first contact is trusted: compare with the host's console if in doubt.
 */
export async function keyscanCommand(hosts: string[], opts: GlobalOptions): Promise<number> {
  const fleet = await openFleet(opts, hosts);
  const names = hosts.length ? hosts : [...fleet.hosts.keys()];
  let failed = 0;
  for (const name of names) {
    const { targetHost: target, targetPort: port, hostKey } = fleet.host(name).config.deployment;
    const r = await run("ssh-keyscan", ["-T", "5", "-t", "ed25519", ...(port !== null ? ["-p", String(port)] : []), target]);
    const key = r.stdout
      .split("\n")
      .find((l) => l && !l.startsWith("#"))
      ?.split(" ")
      .slice(1, 3)
      .join(" ");
    if (!key) {
      failed++;
      console.error(
        new RoostError(`${name}: no ed25519 host key from ${target}`, [r.stderr.trim() || `ssh-keyscan exited ${r.code}`]).format(),
      );
      continue;
    }
    const pinned = hostKey?.split(/\s+/).slice(0, 2).join(" ");
    const note = pinned === undefined ? "" : pinned === key ? "  // matches the pinned key" : "  // DIFFERS from the pinned key";
    console.log(`${name}: hostKey: ${JSON.stringify(key)},${note}`);
  }
  return failed ? exitCodes.failed : exitCodes.ok;
}

/**
 * Let a dedicated user deploy with sudo for Roost's entry point only: print the sudoers line and
 * the script that installs it (--print), or install both over SSH as the host's configured login.
 */
export async function bootstrapCommand(
  host: string,
  opts: GlobalOptions & { user: string; print: boolean; sshConfig?: string },
): Promise<number> {
  if (opts.print) {
    process.stdout.write(bootstrapText(opts.user));
    return exitCodes.ok;
  }
  const fleet = await openFleet(opts, [host]);
  console.log(await withSsh(opts.sshConfig, (ssh) => bootstrapHost(host, reachableHost(fleet, host), opts.user, ssh)));
  return exitCodes.ok;
}

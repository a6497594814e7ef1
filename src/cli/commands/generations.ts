import { listGenerations, rollbackHost } from "../../deploy/generations.ts";
import { openFleet, reachableHost, type GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";
import { withSsh } from "../ssh-state.ts";

export async function generationsCommand(host: string, opts: GlobalOptions & { sshConfig?: string; json: boolean }): Promise<number> {
  const fleet = await openFleet(opts, [host]);
  const gens = await withSsh(opts.sshConfig, (ssh) => listGenerations(host, reachableHost(fleet, host), ssh));
  if (opts.json) {
    console.log(JSON.stringify(gens, null, 2));
    return exitCodes.ok;
  }
  console.log("generation                        activated             size");
  for (const g of gens)
    console.log(`${g.id}  ${(g.activated ?? "never").padEnd(20)}  ${formatBytes(g.bytes).padStart(8)}${g.current ? "  (current)" : ""}`);
  return exitCodes.ok;
}

export async function rollbackCommand(
  host: string,
  generation: string | undefined,
  opts: GlobalOptions & { sshConfig?: string; confirmTimeout?: number },
): Promise<number> {
  const fleet = await openFleet(opts, [host]);
  const r = await withSsh(opts.sshConfig, (ssh) => rollbackHost(host, reachableHost(fleet, host), ssh, generation, opts.confirmTimeout));
  console.log(`${host}: ${r.from?.slice(0, 12) ?? "(nothing)"} → ${r.to.slice(0, 12)}`);
  return exitCodes.ok;
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { run, runOk } from "../run-command.ts";

export const labRoot = process.env.ROOST_TEST_RUN_DIR ?? "/run/roost-test";

export interface Subnet {
  /** 10.231.N.0/24: hosts get .2 and up, the machine has .1 on the bridge. */
  readonly index: number;
  readonly bridge: string;
  readonly gateway: string;
  hostAddress(i: number): string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Claim a /24 no other live run uses (a claim file holds the owner's pid), and create its bridge.
 * Parallel test files thus never share bridges, subnets or veth names.
 */
export async function claimSubnet(): Promise<Subnet> {
  const claims = path.join(labRoot, "subnets");
  mkdirSync(claims, { recursive: true });
  const start = 1 + (process.pid % 200);
  for (let k = 0; k < 250; k++) {
    const index = 1 + ((start + k) % 250);
    const claim = path.join(claims, String(index));
    if (existsSync(claim)) {
      const owner = Number(readFileSync(claim, "utf8"));
      if (isAlive(owner)) continue;
      rmSync(claim, { force: true });
    }
    try {
      closeSync(openSync(claim, "wx"));
    } catch {
      continue;
    }
    writeFileSync(claim, String(process.pid));
    const subnet: Subnet = {
      index,
      bridge: `roostbr${index}`,
      gateway: `10.231.${index}.1`,
      hostAddress: (i) => `10.231.${index}.${i + 2}`,
    };
    await run("ip", ["link", "del", subnet.bridge]);
    await runOk("ip", ["link", "add", subnet.bridge, "type", "bridge"]);
    await runOk("ip", ["addr", "add", `${subnet.gateway}/24`, "dev", subnet.bridge]);
    await runOk("ip", ["link", "set", subnet.bridge, "up"]);
    return subnet;
  }
  throw new Error("no free test subnet in 10.231.0.0/16");
}

export async function releaseSubnet(subnet: Subnet): Promise<void> {
  await run("ip", ["link", "del", subnet.bridge]);
  rmSync(path.join(labRoot, "subnets", String(subnet.index)), { force: true });
}

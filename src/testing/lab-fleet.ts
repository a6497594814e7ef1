import { defineFleet, type Fleet, type Host } from "../host/fleet.ts";
import type { Lab } from "./lab.ts";

/** The fleet with each host's address and pinned key replaced by those of the lab's host of that name. */
export function fleetOnLab(fleet: Fleet, lab: Lab): Fleet {
  const hosts: Record<string, Host> = {};
  for (const [name, h] of Object.entries(fleet.hosts)) {
    const test = lab.host(name);
    hosts[name] = { ...h, address: `root@${test.address}`, hostKey: test.hostKey };
  }
  return { ...defineFleet({ hosts, modules: fleet.modules as never }), secrets: fleet.secrets, site: fleet.site };
}

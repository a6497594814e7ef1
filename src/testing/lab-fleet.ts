import { definitionModule, mkForce } from "../core/index.ts";
import { defineFleet, type Fleet, type Host } from "../host/fleet.ts";
import type { Lab } from "./lab.ts";

/**
 * The fleet with each host's address and pinned key replaced by those of the lab's host of that
 * name: the deployment.* options are forced, so they win over what the fleet's modules set. A host
 * the lab does not run (declared for the others to read, never deployed) is left as the fleet has it.
 */
export function fleetOnLab(fleet: Fleet, lab: Lab): Fleet {
  const hosts: Record<string, Host> = {};
  for (const [name, h] of Object.entries(fleet.hosts)) {
    if (!lab.hosts.has(name)) {
      hosts[name] = h;
      continue;
    }
    const test = lab.host(name);
    // Other hosts read networking.addresses: on the lab, a host is at its lab address only.
    const onLab = definitionModule(
      { deployment: labTarget("root", test.address, test.hostKey), networking: { addresses: mkForce([test.address]) } },
      h.site,
      `lab.${name}`,
    );
    hosts[name] = { ...h, address: `root@${test.address}`, hostKey: test.hostKey, modules: [...h.modules, onLab] };
  }
  return { ...defineFleet({ hosts, modules: fleet.modules as never }), secrets: fleet.secrets, site: fleet.site };
}

/** deployment.* definitions that point a host at a lab host, whatever the fleet says. */
function labTarget(user: string, address: string, hostKey: string) {
  return mkForce({ targetHost: address, targetUser: user, targetPort: null, hostKey });
}

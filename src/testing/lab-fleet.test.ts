import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host } from "../host/fleet.ts";
import type { Lab } from "./lab.ts";
import { fleetOnLab } from "./lab-fleet.ts";

const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBHNxXOqQSD2QSmCNx+XyXqGBIyD8NxYWy1AXv3FWbmZ";

describe("fleetOnLab", () => {
  it("points the lab's hosts at their test hosts and leaves a host the lab does not run as the fleet has it", () => {
    const lab = { hosts: new Map([["web", { address: "10.231.0.2", hostKey: key }]]) } as unknown as Lab;
    (lab as unknown as { host: (n: string) => unknown }).host = (n) => lab.hosts.get(n);
    const later = host({ address: "root@later.example.org", hostKey: key });
    const onLab = fleetOnLab(defineFleet({ hosts: { web: host({ address: "root@web.example.org" }), later } }), lab);
    assert.equal(onLab.hosts.web!.address, "root@10.231.0.2");
    assert.equal(onLab.hosts.later, later);
  });
});

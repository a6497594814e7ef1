import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildHost } from "../../build/generation.ts";
import { errorOf } from "../../core/test-support.ts";
import { FleetEvaluation, defineFleet, host } from "../fleet.ts";
import { buildOne } from "../test-support.ts";
import { addressesOverlap, findListener } from "./listeners.ts";

describe("networking.ports", () => {
  it("refuses two services on one port, naming both and the lines that set them", () => {
    const fleet = defineFleet({
      hosts: {
        h: host({
          address: "root@h",
          config: {
            networking: {
              ports: {
                shop: { port: 8000, address: "127.0.0.1" },
                blog: { port: 8000 },
                dns: { port: 8000, protocol: "udp" },
              },
            },
          },
        }),
      },
    });
    const e = errorOf(() => buildHost("h", new FleetEvaluation(fleet).host("h")));
    assert.match(e, /blog \(networking\.ports\.blog\) and shop \(networking\.ports\.shop\) both listen on tcp port 8000/);
    assert.match(e, /networking\.ports\.blog: defined at src\/host\/ports\/ports\.test\.ts:19:17/);
    assert.match(e, /networking\.ports\.shop: defined at src\/host\/ports\/ports\.test\.ts:18:17/);
    assert.doesNotMatch(e, /dns/);
  });
  it("accepts one port on two distinct addresses", () => {
    buildOne({ networking: { ports: { a: { port: 53, address: "127.0.0.1" }, b: { port: 53, address: "10.0.0.1" } } } });
  });
  it("finds the listener a local client reaches", () => {
    const ports = {
      app: { port: 8000, protocol: "tcp", address: "127.0.0.1" },
      web: { port: 443, protocol: "tcp", address: "0.0.0.0" },
      v6: { port: 9000, protocol: "tcp", address: "::1" },
    } as const;
    assert.equal(findListener(ports, { address: "127.0.0.1", port: 8000 }), "app");
    assert.equal(findListener(ports, { address: "localhost", port: 443 }), "web");
    assert.equal(findListener(ports, { address: "[::1]", port: 9000 }), "v6");
    assert.equal(findListener(ports, { address: "127.0.0.1", port: 8001 }), null);
    assert.equal(findListener(ports, { address: "127.0.0.1", port: 8000, protocol: "udp" }), null);
    assert.equal(findListener(ports, { address: "10.0.0.9", port: 8000 }), null);
  });
  it("treats :: as covering every address and 0.0.0.0 every IPv4 one", () => {
    assert.ok(addressesOverlap("::", "10.0.0.1"));
    assert.ok(addressesOverlap("0.0.0.0", "127.0.0.1"));
    assert.ok(!addressesOverlap("0.0.0.0", "::1"));
    assert.ok(!addressesOverlap("127.0.0.1", "10.0.0.1"));
  });
});

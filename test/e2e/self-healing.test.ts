import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { runScenario } from "../../src/testing/scenario.ts";
import type { TestHost } from "../../src/testing/test-host.ts";
import { testFleet } from "./test-fleet.ts";

/** Wait until the host is back on `generation` with nothing pending, reachable over SSH. */
async function waitForGeneration(h: TestHost, generation: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await h.ssh("readlink /var/lib/roost/current; if test -e /var/lib/roost/pending; then echo pending; fi", {
      timeoutSeconds: 2,
    });
    if (r.code === 0 && r.stdout.trim() === `generations/${generation}`) return;
    await sleep(500);
  }
  throw new Error(`${h.name} did not return to ${generation} within ${timeoutMs / 1000} s`);
}

// sshd's settings as a fleet manages them: a drop-in file, and a unit that restarts sshd when
// the settings change (and again, with the old settings, when a rollback restores them).
const sshdPort = (port: number) => ({
  files: { "/etc/ssh/sshd_config.d/roost.conf": { text: `Port ${port}\n` } },
  networking: { firewall: { sshPorts: [22, port] } },
  systemd: {
    services: {
      "sshd-settings": {
        description: "Apply sshd settings",
        serviceConfig: { Type: "oneshot", RemainAfterExit: true, ExecStart: ["/bin/systemctl restart ssh.service"] },
        restartTriggers: [port],
      },
    },
  },
});

describe("a deploy that cuts its own access heals itself", { timeout: 600_000 }, () => {
  it("moving sshd to another port is undone by the confirmation timer", async () => {
    const fleet = (port: number) => testFleet(["alpha"], () => sshdPort(port));
    await runScenario({
      fleet: fleet(22),
      async test({ hosts, deploy }) {
        const [good] = await deploy();
        const [bad] = await deploy({ fleet: fleet(2222), confirmTimeout: 5, allowFailure: true });
        assert.equal(bad!.status, "failed");
        assert.match(bad!.error!, /a new SSH connection failed after the switch/);
        await waitForGeneration(hosts.alpha!, good!.to, 30_000);
        assert.match(await hosts.alpha!.succeed("cat /etc/ssh/sshd_config.d/roost.conf"), /^Port 22$/m);
        const [again] = await deploy();
        assert.equal(again!.status, "unchanged");
      },
    });
  });

  it("a unit that takes the network down is undone by the confirmation timer", async () => {
    const linkDown = {
      systemd: {
        services: {
          "link-down": {
            description: "Take the only link down",
            serviceConfig: {
              Type: "oneshot",
              RemainAfterExit: true,
              ExecStart: ["/sbin/ip link set host0 down"],
              ExecStop: ["/sbin/ip link set host0 up"],
            },
          },
        },
      },
    };
    await runScenario({
      fleet: testFleet(["alpha"]),
      async test({ hosts, deploy }) {
        const [good] = await deploy();
        const [bad] = await deploy({ fleet: testFleet(["alpha"], () => linkDown), confirmTimeout: 5, allowFailure: true });
        assert.equal(bad!.status, "failed");
        await waitForGeneration(hosts.alpha!, good!.to, 40_000);
        await hosts.alpha!.fail("systemctl is-active link-down.service");
        assert.equal((await hosts.alpha!.succeed("curl -sf http://127.0.0.1:8080/")).trim(), "hello");
      },
    });
  });

  it("a host that reboots before its switch is confirmed comes back on the old generation", async () => {
    await runScenario({
      fleet: testFleet(["alpha"]),
      async test({ hosts, deploy, lab }) {
        const alpha = hosts.alpha!;
        const [good] = await deploy();
        // A switch whose confirmation never comes: the controller is gone, the host restarts.
        await deploy({ fleet: testFleet(["alpha"], () => ({ greeter: { message: "unconfirmed" } })) });
        const current = (await alpha.succeed("readlink /var/lib/roost/current")).trim();
        await alpha.succeed(`echo "${current.split("/")[1]} ${good!.to}" > /var/lib/roost/pending`);
        await alpha.ssh("systemctl reboot");
        await sleep(1000);
        await alpha.waitForSsh(60_000);
        await waitForGeneration(alpha, good!.to, 30_000);
        assert.equal((await alpha.succeed("curl -sf http://127.0.0.1:8080/")).trim(), "hello");
        void lab;
      },
    });
  });
});

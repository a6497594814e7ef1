import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host } from "roost";
import { runScenario, scenario } from "roost/testing";
import { greeter } from "./test-fleet.ts";

// web serves on 8080 (open in its firewall) and listens on 8081 (firewalled); client writes down
// web's address as its fleet reads it.
const fleet = defineFleet({
  hosts: {
    web: host({
      address: "root@web.invalid",
      modules: [greeter],
      config: {
        networking: { firewall: { allowedTCPPorts: [8080] } },
        systemd: { services: { hidden: { serviceConfig: { ExecStart: ["/bin/busybox httpd -f -p 8081 -h /srv/greeter"] } } } },
      },
    }),
    client: host({
      address: "root@client.invalid",
      modules: [greeter],
      config: ({ nodes }) => ({
        greeter: { enable: false },
        files: { "/etc/web-address": { text: `${nodes.web!.config.networking.addresses[0]}\n` } },
      }),
    }),
  },
});

describe("the lab's network", { timeout: 300_000 }, () => {
  it("hosts reach each other by fleet name, read each other's lab address, and see their own listening ports behind the firewall", async () => {
    await runScenario(
      scenario({
        fleet,
        async test({ hosts, deploy }) {
          await deploy();
          const { web, client } = hosts;
          assert.equal((await client!.succeed("cat /etc/web-address")).trim(), web!.address);
          await web!.waitForUnit("greeter.service");
          assert.equal(await client!.succeed("curl -sf --max-time 5 http://web:8080/"), "hello\n");
          assert.equal((await web!.succeed("getent hosts client")).split(/\s+/)[0], client!.address);

          await web!.waitForUnit("hidden.service");
          await web!.waitForOpenPort(8081);
          await web!.waitForReachablePort(8080, 5_000);
          await assert.rejects(web!.waitForReachablePort(8081, 2_000), /web: TCP port 8081 not reachable from this machine within 2 s/);
          await client!.fail("curl -sf --max-time 2 http://web:8081/");
          await assert.rejects(
            web!.waitForOpenPort(8082, 1_000),
            /web: `ss -Htln 'sport = :8082' \| grep -q \.` found nothing listening on TCP port 8082 within 1 s/,
          );
        },
      }),
    );
  });
});

describe("kernel parameters", { timeout: 300_000 }, () => {
  const tuned = (sysctl: Record<string, number | string | boolean>) =>
    defineFleet({ hosts: { web: host({ address: "root@web.invalid", config: { boot: { kernel: { sysctl } } } }) } });
  it("are set at activation, changed without a reboot, and a value the kernel refuses fails the switch unless the parameter is marked optional", async () => {
    await runScenario(
      scenario({
        fleet: tuned({ "net.core.somaxconn": 1234, "net.ipv4.tcp_keepalive_time": "600" }),
        async test({ hosts, deploy }) {
          const web = hosts.web!;
          const read = async (key: string) => (await web.succeed(`sysctl -n ${key}`)).trim();
          await deploy();
          assert.equal(await read("net.core.somaxconn"), "1234");
          assert.equal(await read("net.ipv4.tcp_keepalive_time"), "600");
          assert.equal(
            await web.succeed("cat /etc/sysctl.d/60-roost.conf"),
            "net.core.somaxconn = 1234\nnet.ipv4.tcp_keepalive_time = 600\n",
          );

          await deploy({ fleet: tuned({ "net.core.somaxconn": 2345 }) });
          assert.equal(await read("net.core.somaxconn"), "2345");

          // A value the kernel refuses (EINVAL) fails the switch.
          const [refused] = await deploy({
            fleet: tuned({ "net.core.somaxconn": 3456, "net.ipv4.tcp_keepalive_time": "soon" }),
            allowFailure: true,
          });
          assert.equal(refused!.status, "failed");
          assert.equal(refused!.rolledBack, true);
          assert.equal(await read("net.core.somaxconn"), "2345");
          assert.equal(await web.succeed("cat /etc/sysctl.d/60-roost.conf"), "net.core.somaxconn = 2345\n");

          await deploy({ fleet: tuned({ "net.core.somaxconn": 3456, "-net.ipv4.tcp_keepalive_time": "soon" }) });
          assert.equal(await read("net.core.somaxconn"), "3456");
          // Left as it was: the refused value is ignored, and a parameter no longer set keeps its value until the next boot.
          assert.equal(await read("net.ipv4.tcp_keepalive_time"), "600");
        },
      }),
    );
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runScenario, scenario } from "roost/testing";
import fleet from "../../examples/metrics/roost.config.ts";

describe("node exporters and a scrape server on two hosts", { timeout: 600_000 }, () => {
  it("the server's scrape file names both exporters, which serve systemd metrics to the server and to no one else", async () => {
    await runScenario(
      scenario({
        fleet,
        async test({ hosts, deploy }) {
          await deploy();
          const { mon, app } = hosts;
          await app!.waitForUnit("prometheus-node-exporter.service");
          await mon!.waitForUnit("prometheus-node-exporter.service");

          const targets = await mon!.succeed("cat /etc/roost-scrape/targets.yml");
          assert.match(targets, new RegExp(`- "${app!.address.replaceAll(".", "\\.")}:9100"\\n\\s+labels:\\n\\s+host: app\\n`));
          assert.match(targets, new RegExp(`- "${mon!.address.replaceAll(".", "\\.")}:9100"\\n\\s+labels:\\n\\s+host: mon\\n`));

          // The first deploy already runs Roost's unit, not the one the package started: the systemd collector answers.
          for (const agent of [app!, mon!]) {
            const metrics = await mon!.succeed(`curl -sf --max-time 5 http://${agent.address}:9100/metrics`);
            assert.match(
              metrics,
              /^node_systemd_unit_state\{name="prometheus-node-exporter\.service",state="active",type="simple"\} 1$/m,
              agent.name,
            );
          }

          // app opens 9100 to mon's address only; mon, with no allowed sources, to no other host.
          assert.match(
            await app!.succeed("nft list table inet roost"),
            new RegExp(`ip saddr ${mon!.address.replaceAll(".", "\\.")} tcp dport 9100 accept`),
          );
          await app!.fail(`curl -sf --max-time 3 http://${mon!.address}:9100/metrics`);
          await mon!.succeed("curl -sf --max-time 5 http://127.0.0.1:9100/metrics >/dev/null");
        },
      }),
    );
  });
});

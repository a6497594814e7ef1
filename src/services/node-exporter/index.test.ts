import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host } from "roost";
import { scrapeServer } from "roost/services/scrape-server";
import { buildHostFrom } from "roost/testing";
import { nodeExporter } from "./index.ts";

const unitPath = "/etc/systemd/system/prometheus-node-exporter.service";

describe("services.nodeExporter", () => {
  it("adds nothing to a host until it is enabled", () => {
    const built = buildHostFrom(defineFleet({ hosts: { a: host({ address: "root@10.0.0.1", modules: [nodeExporter] }) } }), "a");
    assert.ok(!built.paths.includes(unitPath));
    assert.deepEqual(built.config.monitoring.scrapeTargets, {});
    assert.ok(!built.manifest.packages.includes("prometheus-node-exporter"));
  });

  it("runs the packaged exporter from its own unit, with the systemd collector, and registers the node job", () => {
    const fleet = defineFleet({
      hosts: { a: host({ address: "root@10.0.0.1", modules: [nodeExporter], config: { services: { nodeExporter: { enable: true } } } }) },
    });
    const built = buildHostFrom(fleet, "a");
    assert.ok(built.manifest.packages.includes("prometheus-node-exporter"));
    assert.match(
      built.file(unitPath),
      /^ExecStart=\/usr\/bin\/prometheus-node-exporter --web\.listen-address=0\.0\.0\.0:9100 --collector\.textfile\.directory=\/var\/lib\/prometheus\/node-exporter --collector\.systemd$/m,
    );
    assert.match(built.file(unitPath), /^User=prometheus$/m);
    assert.deepEqual(built.manifest.directories["/var/lib/prometheus/node-exporter"], {
      ...built.manifest.directories["/var/lib/prometheus/node-exporter"],
      owner: "prometheus",
      group: "prometheus",
      mode: "0755",
    });
    assert.equal((built.manifest.healthChecks["node-exporter"] as { url?: string }).url, "http://127.0.0.1:9100/metrics");
    assert.deepEqual(built.config.monitoring.scrapeTargets, { node: { port: 9100, path: "/metrics", scheme: "http", labels: {} } });
  });

  it("writes collectors (a definition replaces the default list), an IPv6 listen address and raw flags as systemd reads them", () => {
    const fleet = defineFleet({
      hosts: {
        a: host({
          address: "root@10.0.0.1",
          modules: [nodeExporter],
          config: {
            services: {
              nodeExporter: {
                enable: true,
                listenAddress: "::1",
                port: 9200,
                enabledCollectors: ["processes"],
                disabledCollectors: ["wifi"],
                extraFlags: ["--collector.filesystem.mount-points-exclude=^/(dev|proc)($|/)", '--web.config.file=/etc/a "b"'],
              },
            },
          },
        }),
      },
    });
    const built = buildHostFrom(fleet, "a");
    const exec = /^ExecStart=(.*)$/m.exec(built.file(unitPath))![1]!;
    assert.equal(
      exec,
      "/usr/bin/prometheus-node-exporter --web.listen-address=[::1]:9200 --collector.textfile.directory=/var/lib/prometheus/node-exporter --collector.processes --no-collector.wifi " +
        '"--collector.filesystem.mount-points-exclude=^/(dev|proc)($$|/)" "--web.config.file=/etc/a \\"b\\""',
    );
    assert.equal((built.manifest.healthChecks["node-exporter"] as { url?: string }).url, "http://[::1]:9200/metrics");
  });

  it("opens the port only to the scrape server's address, read through nodes, and keeps it closed by default", () => {
    const fleet = defineFleet({
      modules: [nodeExporter, scrapeServer],
      hosts: {
        mon: host({
          address: "root@10.0.0.5",
          modules: [nodeExporter, scrapeServer],
          config: { services: { scrapeServer: { enable: true }, nodeExporter: { enable: true } } },
        }),
        a: host({
          address: "root@10.0.0.1",
          modules: [nodeExporter],
          config: ({ nodes }) => ({
            services: { nodeExporter: { enable: true, allowedSources: [nodes.mon!.config.networking.addresses[0]!] } },
          }),
        }),
      },
    });
    const a = buildHostFrom(fleet, "a").file("/etc/roost/firewall.nft");
    assert.match(a, /ip saddr \{ 10\.0\.0\.5 \} tcp dport 9100 accept/);
    assert.equal(a.match(/9100/g)!.length, 1);
    assert.doesNotMatch(buildHostFrom(fleet, "mon").file("/etc/roost/firewall.nft"), /9100/);
  });

  it("opens the port to given networks, or to everyone with openFirewall", () => {
    const fleet = defineFleet({
      modules: [nodeExporter],
      hosts: {
        a: host({
          address: "root@10.0.0.1",
          modules: [nodeExporter],
          config: { services: { nodeExporter: { enable: true, allowedSources: ["10.1.0.0/16", "fd00::/8"] } } },
        }),
        b: host({
          address: "root@10.0.0.2",
          modules: [nodeExporter],
          config: { services: { nodeExporter: { enable: true, openFirewall: true } } },
        }),
      },
    });
    const a = buildHostFrom(fleet, "a").file("/etc/roost/firewall.nft");
    assert.match(a, /ip saddr \{ 10\.1\.0\.0\/16 \} tcp dport 9100 accept/);
    assert.match(a, /ip6 saddr \{ fd00::\/8 \} tcp dport 9100 accept/);
    assert.match(buildHostFrom(fleet, "b").file("/etc/roost/firewall.nft"), /tcp dport \{ 22, 9100 \} accept/);
  });

  it("refuses a collector name that would be another flag", () => {
    const fleet = defineFleet({
      hosts: {
        a: host({
          address: "root@10.0.0.1",
          modules: [nodeExporter],
          config: { services: { nodeExporter: { enable: true, enabledCollectors: ["systemd --web.listen-address=:1"] } } },
        }),
      },
    });
    assert.throws(() => buildHostFrom(fleet, "a"), /services\.nodeExporter\.enabledCollectors\[0\]: expected collector name/);
  });
});

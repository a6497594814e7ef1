import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { defineFleet, defineModule, host } from "roost";
import { nodeExporter } from "roost/services/node-exporter";
import { scrapeTargets } from "roost/services/scrape-targets";
import { buildHostFrom } from "roost/testing";
import { scrapeServer } from "./index.ts";

const file = "/etc/roost-scrape/targets.yml";

describe("services.scrapeServer", () => {
  it("scrapes every host's registered targets at its first address, labelled with its name; hosts without the module have none", () => {
    const fleet = defineFleet({
      modules: [nodeExporter, scrapeServer],
      hosts: {
        mon: host({
          address: "root@10.0.0.5",
          modules: [nodeExporter, scrapeServer],
          config: { services: { scrapeServer: { enable: true }, nodeExporter: { enable: true } } },
        }),
        db: host({
          address: "root@10.0.0.2",
          modules: [nodeExporter, scrapeTargets],
          config: {
            services: { nodeExporter: { enable: true } },
            monitoring: { scrapeTargets: { postgres: { port: 9187, labels: { role: "db" } } } },
          },
        }),
        v6: host({
          address: "root@v6.lan",
          modules: [nodeExporter],
          config: { networking: { addresses: ["2001:db8::7"] }, services: { nodeExporter: { enable: true, port: 9101 } } },
        }),
        idle: host({ address: "root@10.0.0.9" }),
      },
    });
    const built = buildHostFrom(fleet, "mon");
    assert.deepEqual(parse(built.file(file)), {
      scrape_configs: [
        {
          job_name: "node",
          scheme: "http",
          metrics_path: "/metrics",
          static_configs: [
            { targets: ["10.0.0.2:9100"], labels: { host: "db" } },
            { targets: ["10.0.0.5:9100"], labels: { host: "mon" } },
            { targets: ["[2001:db8::7]:9101"], labels: { host: "v6" } },
          ],
        },
        {
          job_name: "postgres",
          scheme: "http",
          metrics_path: "/metrics",
          static_configs: [{ targets: ["10.0.0.2:9187"], labels: { role: "db", host: "db" } }],
        },
      ],
    });
    assert.ok(!buildHostFrom(fleet, "db").paths.includes(file));
  });

  it("reads hosts that import no service module at all", () => {
    const fleet = defineFleet({
      hosts: {
        mon: host({ address: "root@10.0.0.5", modules: [scrapeServer], config: { services: { scrapeServer: { enable: true } } } }),
        bare: host({ address: "root@10.0.0.6" }),
        agent: host({ address: "root@10.0.0.7", modules: [nodeExporter], config: { services: { nodeExporter: { enable: true } } } }),
      },
    });
    const configs = parse(buildHostFrom(fleet, "mon").file(file)).scrape_configs;
    assert.deepEqual(
      configs.map((c: { static_configs: { labels: { host: string } }[] }) => c.static_configs.map((s) => s.labels.host)),
      [["agent"]],
    );
  });

  it("keeps the job's path and scheme from its first host and sets the others' per target", () => {
    const app = (path: string, scheme: "http" | "https") =>
      defineModule({ imports: [scrapeTargets], config: { monitoring: { scrapeTargets: { app: { port: 8080, path, scheme } } } } });
    const fleet = defineFleet({
      modules: [scrapeServer],
      hosts: {
        mon: host({ address: "root@10.0.0.5", modules: [scrapeServer], config: { services: { scrapeServer: { enable: true } } } }),
        a: host({ address: "root@10.0.0.1", modules: [app("/metrics", "http")] }),
        b: host({ address: "root@10.0.0.2", modules: [app("/internal/metrics", "https")] }),
      },
    });
    const [job] = parse(buildHostFrom(fleet, "mon").file(file)).scrape_configs;
    assert.deepEqual(job.static_configs, [
      { targets: ["10.0.0.1:8080"], labels: { host: "a" } },
      { targets: ["10.0.0.2:8080"], labels: { __metrics_path__: "/internal/metrics", __scheme__: "https", host: "b" } },
    ]);
  });

  it("renders its settings around the registered jobs, which come after the ones written by hand", () => {
    const fleet = defineFleet({
      modules: [scrapeServer, nodeExporter],
      hosts: {
        mon: host({
          address: "root@10.0.0.5",
          modules: [scrapeServer, nodeExporter],
          config: {
            services: {
              nodeExporter: { enable: true },
              scrapeServer: {
                enable: true,
                file: "/etc/prometheus/prometheus.yml",
                settings: {
                  global: { scrape_interval: "30s" },
                  scrape_configs: [{ job_name: "self", static_configs: [{ targets: ["localhost:9090"] }] }],
                },
              },
            },
          },
        }),
      },
    });
    const text = buildHostFrom(fleet, "mon").file("/etc/prometheus/prometheus.yml");
    assert.match(text, /^global:\n {2}scrape_interval: "30s"\n/);
    assert.deepEqual(
      parse(text).scrape_configs.map((c: { job_name: string }) => c.job_name),
      ["self", "node"],
    );
  });

  it("refuses a label that would override the host label, at the option's path", () => {
    const fleet = defineFleet({
      modules: [scrapeServer],
      hosts: {
        a: host({
          address: "root@10.0.0.1",
          modules: [scrapeTargets],
          config: { monitoring: { scrapeTargets: { app: { port: 1, labels: { host: "x" } } } } },
        }),
      },
    });
    assert.throws(
      () => buildHostFrom(fleet, "a"),
      /monitoring\.scrapeTargets\.app\.labels\.host: expected a name that is Prometheus label name, but the host label is set by the scrape server/,
    );
  });
});

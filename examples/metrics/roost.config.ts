// Two hosts that export machine metrics, one of which collects them: node-exporter everywhere,
// the scrape server on mon. The modules are declared fleet-wide, so every host has their options
// (and mon reads each host's registered targets through nodes); each host enables what it runs.
import { defineFleet, host } from "roost";
import { nodeExporter } from "roost/services/node-exporter";
import { scrapeServer } from "roost/services/scrape-server";

const monitored = [nodeExporter, scrapeServer] as const;

export default defineFleet({
  modules: [...monitored],
  hosts: {
    mon: host({
      address: "root@10.0.0.20",
      modules: monitored,
      config: {
        services: {
          nodeExporter: { enable: true },
          scrapeServer: { enable: true, settings: { global: { scrape_interval: "30s" } } },
        },
      },
    }),
    app: host({
      address: "root@10.0.0.21",
      modules: monitored,
      config: ({ nodes }) => ({
        services: {
          // Only the scrape server may read this host's metrics.
          nodeExporter: { enable: true, allowedSources: [nodes.mon!.config.networking.addresses[0]!] },
        },
      }),
    }),
  },
});

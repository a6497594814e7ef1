// A scrape server's view of the fleet: every host's registered scrape targets
// (roost/services/scrape-targets), rendered as a Prometheus `scrape_configs` file. Declare the modules
// fleet-wide (FleetSpec.modules) and enable the server on one host:
//
//   defineFleet({ modules: [nodeExporter, scrapeServer], hosts: { mon: host({ …, config: { services: { scrapeServer: { enable: true } } } }), … } })
//
// The file is a complete Prometheus (or vmagent -promscrape.config) configuration; the program that
// reads it is another module's business.
import { defineModule, enableOption, formats, mkIf, option, types as t, type Nodes } from "roost";
import { scrapeTargets } from "roost/services/scrape-targets";

const prometheusYaml = formats.prometheusYaml();

export const scrapeServer = defineModule({
  name: "scrape-server",
  imports: [scrapeTargets],
  options: {
    services: {
      scrapeServer: {
        enable: enableOption("the scrape configuration of every registered target of the fleet on this host"),
        file: option({ type: t.path, default: "/etc/roost-scrape/targets.yml", description: "Where the scrape configuration is written." }),
        settings: option({
          type: prometheusYaml.type,
          default: {},
          description:
            "More of the configuration file, as Prometheus reads it (global, further scrape_configs); the registered jobs are appended to scrape_configs.",
          example: { global: { scrape_interval: "30s" } },
        }),
      },
    },
  },
  config: ({ config, nodes }) => {
    const cfg = config.services.scrapeServer;
    const settings = isObject(cfg.settings) ? cfg.settings : {};
    const own = Array.isArray(settings.scrape_configs) ? settings.scrape_configs : [];
    return mkIf(cfg.enable, {
      assertions: [
        {
          assertion: isObject(cfg.settings),
          message: "services.scrapeServer.settings must be an object: the top of a Prometheus configuration",
        },
      ],
      files: {
        [cfg.file]: {
          // A getter: other hosts' targets are read once this host's evaluation asks for the file.
          get text() {
            return prometheusYaml.generate({ ...settings, scrape_configs: [...own, ...scrapeConfigs(nodes)] });
          },
        },
      },
    });
  },
});

type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

function isObject(value: Json): value is { readonly [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface Registration {
  readonly port: number;
  readonly path: string;
  readonly scheme: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * One job per registered job name, one static config per host (its first address, and the label
 * host=<name>). A host whose path or scheme differs from the job's gets them as the target's
 * `__metrics_path__` / `__scheme__` labels, which Prometheus applies per target.
 */
export function scrapeConfigs(nodes: Nodes) {
  const jobs = new Map<string, { host: string; address: string; target: Registration }[]>();
  for (const name of Object.keys(nodes).sort()) {
    const node = nodes[name]!;
    const targets: Readonly<Record<string, Registration>> | undefined = node.config.monitoring?.scrapeTargets;
    for (const [job, target] of Object.entries(targets ?? {})) {
      const address = node.config.networking.addresses[0];
      if (address === undefined) continue;
      if (!jobs.has(job)) jobs.set(job, []);
      jobs.get(job)!.push({ host: name, address, target });
    }
  }
  return [...jobs.keys()].sort().map((job) => {
    const members = jobs.get(job)!;
    const { path, scheme } = members[0]!.target;
    return {
      job_name: job,
      scheme,
      metrics_path: path,
      static_configs: members.map(({ host, address, target }) => ({
        targets: [`${address.includes(":") ? `[${address}]` : address}:${target.port}`],
        labels: {
          ...target.labels,
          ...(target.path === path ? {} : { __metrics_path__: target.path }),
          ...(target.scheme === scheme ? {} : { __scheme__: target.scheme }),
          host,
        },
      })),
    };
  });
}

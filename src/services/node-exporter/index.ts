// Prometheus node exporter: machine metrics (and systemd unit states) on :9100, registered as the
// scrape target "node" for the fleet's scrape servers.
import { addressOrNetwork, defineModule, enableOption, execLine, mkIf, option, packageOption, types as t } from "roost";
import { scrapeTargets } from "roost/services/scrape-targets";

const collectorName = t.strMatching(/^[a-z0-9_]+$/, "collector name (lower case, digits and _)");
const ipAddress = t.strMatching(/^([0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)$/, "IP address");

export const nodeExporter = defineModule({
  name: "node-exporter",
  imports: [scrapeTargets],
  options: {
    services: {
      nodeExporter: {
        enable: enableOption("the Prometheus node exporter"),
        package: packageOption("prometheus-node-exporter"),
        // Every address: the exporter is there to be scraped from another host, and the firewall
        // (allowedSources, openFirewall) decides who may.
        listenAddress: option({ type: ipAddress, default: "0.0.0.0", description: "The address to listen on." }),
        port: option({ type: t.port, default: 9100, description: "The port to listen on." }),
        enabledCollectors: option({
          type: t.listOf(collectorName),
          default: ["systemd"],
          description: "Collectors to turn on beside the exporter's defaults (systemd: the state of every unit).",
          example: ["systemd", "processes"],
        }),
        disabledCollectors: option({
          type: t.listOf(collectorName),
          default: [],
          description: "Default collectors to turn off.",
          example: ["wifi"],
        }),
        textfileDirectory: option({
          type: t.path,
          default: "/var/lib/prometheus/node-exporter",
          description: "Where the textfile collector reads *.prom files; created, writable by the prometheus user.",
        }),
        extraFlags: option({
          type: t.listOf(t.str),
          default: [],
          description: "More command-line flags, one per item.",
          example: ["--collector.filesystem.mount-points-exclude=^/(dev|proc|sys)($|/)"],
        }),
        openFirewall: option({ type: t.bool, default: false, description: "Open the port to every address." }),
        allowedSources: option({
          type: t.listOf(addressOrNetwork),
          default: [],
          description:
            "Addresses and networks the port is open to (networking.firewall.sources.node-exporter), usually the scrape server's: `allowedSources: [nodes.mon!.config.networking.addresses[0]!]`.",
          example: ["10.0.0.5", "fd00::/8"],
        }),
      },
    },
  },
  config: ({ config }) => {
    const cfg = config.services.nodeExporter;
    const exec = [
      "/usr/bin/prometheus-node-exporter",
      `--web.listen-address=${cfg.listenAddress.includes(":") ? `[${cfg.listenAddress}]` : cfg.listenAddress}:${cfg.port}`,
      `--collector.textfile.directory=${cfg.textfileDirectory}`,
      ...cfg.enabledCollectors.map((c) => `--collector.${c}`),
      ...cfg.disabledCollectors.map((c) => `--no-collector.${c}`),
      ...cfg.extraFlags,
    ];
    const probe =
      cfg.listenAddress === "0.0.0.0" || cfg.listenAddress === "::"
        ? "127.0.0.1"
        : cfg.listenAddress.includes(":")
          ? `[${cfg.listenAddress}]`
          : cfg.listenAddress;
    return mkIf(cfg.enable, {
      packages: [cfg.package],
      directories: { [cfg.textfileDirectory]: { owner: "prometheus", group: "prometheus", mode: "0755" } },
      // Debian's package ships this unit, reading its flags from /etc/default/prometheus-node-exporter.
      // A unit of the same name in /etc/systemd/system replaces it whole, so there is one exporter,
      // named as in NixOS, its flags typed here and visible in `systemctl cat`, restarted when they
      // change; boots and package upgrades start this unit, not the packaged one.
      systemd: {
        services: {
          "prometheus-node-exporter": {
            description: "Prometheus exporter for machine metrics",
            documentation: ["https://github.com/prometheus/node_exporter"],
            wantedBy: ["multi-user.target"],
            after: ["network.target"],
            serviceConfig: {
              ExecStart: [execLine(exec)],
              User: "prometheus",
              Group: "prometheus",
              Restart: "on-failure",
              NoNewPrivileges: true,
              ProtectSystem: "strict",
              ProtectHome: "yes",
              PrivateTmp: true,
              PrivateDevices: true,
            },
          },
        },
      },
      networking: {
        firewall: {
          allowedTCPPorts: cfg.openFirewall ? [cfg.port] : [],
          sources: mkIf(cfg.allowedSources.length > 0, { "node-exporter": { addresses: cfg.allowedSources, allowedTCPPorts: [cfg.port] } }),
        },
      },
      healthChecks: {
        "node-exporter": { type: "http", url: `http://${probe}:${cfg.port}/metrics`, expectBody: "node_exporter_build_info" },
      },
      monitoring: { scrapeTargets: { node: { port: cfg.port } } },
    });
  },
});

// Loki on the monitoring server and Promtail on every host. Pushes go through the monitoring server's
// nginx, which maps each host's bearer token (the same monitoring token vmagent writes with) to the
// host's name and passes it to Loki as X-Scope-OrgID: a host's lines land in its own tenant, and a
// host can never write as another. Declare the module fleet-wide, with monitoring:
//
//   defineFleet({ modules: [monitoring, loki], hosts: { mon: host({ config: { services: { loki: { enable: true, retention: 2678400, package: { … } } } } }), … } })
import { defineModule, mkMerge } from "roost";
import { hostsFile, monitoring } from "roost/services/monitoring";
import { nginx } from "roost/services/nginx";
import { lokiOptions, promtailOptions } from "./options.ts";
import {
  lokiConfig,
  lokiFile,
  lokiUnit,
  lokiZip,
  promtailConfig,
  promtailFile,
  promtailTokenOutput,
  promtailUnit,
  promtailZip,
  yaml,
} from "./render.ts";

export { lokiConfig, lokiFile, promtailConfig, promtailFile } from "./render.ts";

export const pushPath = "/loki/api/v1/push";
const day = 24 * 3600;

interface LokiHost {
  readonly config: {
    readonly services: { readonly loki: { readonly enable: boolean } };
    readonly monitoring: { readonly server: { readonly domain: string } };
  };
}

/** The push URL of the fleet's Loki, or null when no host runs it. */
export function pushUrl(nodes: Readonly<Record<string, LokiHost>>): string | null {
  const n = Object.keys(nodes)
    .sort()
    .find((h) => nodes[h]!.config.services.loki.enable);
  return n === undefined ? null : `https://${nodes[n]!.config.monitoring.server.domain}${pushPath}`;
}

export const loki = defineModule({
  name: "loki",
  imports: [monitoring, nginx],
  options: { services: { loki: lokiOptions, promtail: promtailOptions } },
  config: ({ config, nodes, name }) => {
    const cfg = config.services.loki;
    const pt = config.services.promtail;
    const server = config.monitoring.server;
    const lokiText = () => yaml.generate(lokiConfig(cfg));
    const promtailText = () =>
      yaml.generate(
        promtailConfig({
          host: name,
          pushUrl: pushUrl(nodes as never) ?? `https://logs.invalid${pushPath}`,
          port: pt.port,
          maxAge: pt.maxAge,
        }),
      );
    return mkMerge([
      cfg.enable
        ? {
            packages: ["unzip"],
            users: { users: { loki: { isSystemUser: true, group: "loki", home: cfg.dataDir } }, groups: { loki: {} } },
            directories: {
              [cfg.dataDir]: { owner: "loki", group: "loki", mode: "0750" },
              "/opt/loki": { owner: "root", group: "root", mode: "0755" },
            },
            files: {
              [lokiZip]: { url: cfg.package.url, sha256: cfg.package.sha256 },
              [lokiFile]: {
                get text() {
                  return lokiText();
                },
                group: "loki",
                mode: "0640",
              },
            },
            systemd: {
              services: {
                get loki() {
                  return lokiUnit(cfg, lokiText());
                },
              },
            },
            services: {
              nginx: {
                virtualHosts: {
                  [server.domain]: {
                    locations: {
                      [`= ${pushPath}`]: {
                        proxyPass: `http://127.0.0.1:${cfg.port}${pushPath}`,
                        extraConfig: {
                          if: [["($monitoring_token_unknown)", { return: 401 }]],
                          // Replaces any X-Scope-OrgID the client sent.
                          proxy_set_header: [["X-Scope-OrgID", "$monitoring_host"]],
                          client_max_body_size: "16m",
                        },
                      },
                    },
                  },
                },
              },
            },
            networking: {
              ports: {
                loki: { port: cfg.port, address: "127.0.0.1", option: ["services", "loki", "port"] },
                "loki-grpc": { port: cfg.grpcPort, address: "127.0.0.1", option: ["services", "loki", "grpcPort"] },
              },
            },
            healthChecks: { loki: { type: "http" as const, url: `http://127.0.0.1:${cfg.port}/ready`, expectBody: "ready" } },
            // Loki is no Debian package: roost check runs these when the binaries are on the controller's PATH.
            validators: { loki: { command: ["loki", "-verify-config", `-config.file=${lokiFile.slice(1)}`] } },
            assertions: [
              {
                assertion: server.enable,
                message: `services.loki.enable is true on ${name}, but Loki takes pushes through the monitoring server's endpoint: set monitoring.server.enable here`,
                options: [["services", "loki", "enable"]],
              },
              {
                assertion: cfg.retention >= day && cfg.retention % day === 0,
                message: `services.loki.retention: Loki deletes by whole days of its 24h index; ${cfg.retention}s is not a whole number of days (at least one)`,
                options: [["services", "loki", "retention"]],
              },
            ],
          }
        : {},
      pt.enable
        ? {
            packages: ["unzip"],
            users: { users: { promtail: { isSystemUser: true, group: "promtail" } }, groups: { promtail: {} } },
            directories: { "/opt/promtail": { owner: "root", group: "root", mode: "0755" } },
            secrets: {
              [promtailTokenOutput]: { secret: config.monitoring.agent.tokenSecret, owner: "promtail", group: "promtail", mode: "0400" },
            },
            files: {
              [promtailZip]: { url: pt.package.url, sha256: pt.package.sha256 },
              [promtailFile]: {
                get text() {
                  return promtailText();
                },
              },
            },
            systemd: {
              services: {
                get promtail() {
                  const unit = promtailUnit(promtailText());
                  // The server's name resolves as it does for vmagent, without DNS.
                  return config.monitoring.agent.resolveServer
                    ? { ...unit, serviceConfig: { ...unit.serviceConfig, extraConfig: { BindReadOnlyPaths: `${hostsFile}:/etc/hosts` } } }
                    : unit;
                },
              },
            },
            networking: { ports: { promtail: { port: pt.port, address: "127.0.0.1", option: ["services", "promtail", "port"] } } },
            healthChecks: { promtail: { type: "http" as const, url: `http://127.0.0.1:${pt.port}/ready`, expectBody: "Ready" } },
            validators: { promtail: { command: ["promtail", "-check-syntax", `-config.file=${promtailFile.slice(1)}`] } },
            get assertions() {
              return [
                {
                  assertion: pushUrl(nodes as never) !== null,
                  message: `services.promtail.enable is true on ${name}, but no host of the fleet has services.loki.enable`,
                  options: [["services", "promtail", "enable"]],
                },
              ];
            },
          }
        : {},
    ]);
  },
});

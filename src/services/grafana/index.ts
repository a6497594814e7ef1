// Grafana on the central host: its release tarball (downloaded with a pinned sha256), grafana.ini,
// provisioned datasources (the fleet's metrics, Loki, Alertmanager) and the fleet's dashboards, on
// 127.0.0.1 behind nginx with an ACME certificate. The admin password is a Roost secret.
import { defineModule, mkDefault, mkIf } from "roost";
import { acme } from "roost/services/acme";
import { fleetDashboards } from "roost/services/dashboards";
import { loki } from "roost/services/loki";
import { monitoring } from "roost/services/monitoring";
import { nginx } from "roost/services/nginx";
import { grafanaOptions, json } from "./options.ts";
import {
  adminPasswordOutput,
  dashboardProviderFile,
  dashboardProviderYaml,
  dashboardsDir,
  datasourcesFile,
  datasourcesYaml,
  grafanaIni,
  grafanaUnit,
  iniFile,
  installDir,
  tarball,
} from "./render.ts";

export { datasourcesFile, dashboardProviderFile, dashboardsDir, iniFile } from "./render.ts";

export const grafana = defineModule({
  name: "grafana",
  imports: [nginx, acme, monitoring, loki],
  options: { services: { grafana: grafanaOptions } },
  config: ({ config, nodes }) => {
    const cfg = config.services.grafana;
    const mon = config.monitoring.server;
    const logs = config.services.loki;
    const iniText = grafanaIni(cfg, cfg.settings);
    // Loki keeps each host in its own tenant: the datasource reads them all.
    const dsText = () => datasourcesYaml(cfg.datasources, Object.keys(nodes).sort());
    const dashboards = () => ({ ...(cfg.fleetDashboards ? fleetDashboards(nodes) : {}), ...cfg.dashboards });
    return mkIf(cfg.enable, {
      services: {
        grafana: {
          datasources: {
            metrics: mkDefault(mon.enable ? `http://127.0.0.1:${mon.port}` : null),
            loki: mkDefault(logs.enable ? `http://127.0.0.1:${logs.port}` : null),
            alertmanager: mkDefault(mon.enable ? `http://127.0.0.1:${mon.alertmanager.port}` : null),
          },
        },
        nginx: {
          enable: true,
          virtualHosts: {
            [cfg.domain]: {
              forceSSL: true,
              enableACME: cfg.enableACME,
              locations: { "/": { proxyPass: `http://127.0.0.1:${cfg.port}`, proxyWebsockets: true } },
            },
          },
        },
      },
      users: {
        users: { grafana: { isSystemUser: true, group: "grafana", home: cfg.dataDir } },
        groups: { grafana: {} },
      },
      directories: {
        [cfg.dataDir]: { owner: "grafana", group: "grafana", mode: "0750" },
        [installDir]: { owner: "root", group: "root", mode: "0755" },
      },
      files: {
        [tarball]: { url: cfg.package.url, sha256: cfg.package.sha256 },
        [iniFile]: { text: iniText, group: "grafana", mode: "0640" },
        [datasourcesFile]: {
          get text() {
            return dsText();
          },
          group: "grafana",
          mode: "0640",
        },
        [dashboardProviderFile]: { text: dashboardProviderYaml(), group: "grafana", mode: "0640" },
        ...Object.fromEntries(Object.entries(dashboards()).map(([f, d]) => [`${dashboardsDir}/${f}`, { text: json.generate(d as never) }])),
      },
      secrets: { [adminPasswordOutput]: { secret: cfg.adminPasswordSecret, owner: "grafana", group: "grafana", mode: "0400" } },
      systemd: {
        services: {
          get grafana() {
            return grafanaUnit(cfg, iniText + dsText());
          },
        },
      },
      networking: { ports: { grafana: { port: cfg.port, address: "127.0.0.1", option: ["services", "grafana", "port"] } } },
      healthChecks: { grafana: { type: "http" as const, url: `http://127.0.0.1:${cfg.port}/api/health`, expectBody: "ok" } },
    });
  },
});

// Seed 001's monitoring stack as one switch: zugvoegel.services.monitoring.enable on the festival
// host makes it the monitoring server (Prometheus, Alertmanager), runs Grafana with the fleet's
// dashboards and Loki for the logs, and ships its own journal (containers included) with Promtail.
// Every part comes from roost/services; this module only chooses and connects them.
import { defineModule, mkIf, option, releaseOptions, types as t } from "roost";
import { acme } from "roost/services/acme";
import { grafana } from "roost/services/grafana";
import { loki } from "roost/services/loki";
import { monitoring } from "roost/services/monitoring";
import { scrapeTargets } from "roost/services/scrape-targets";

const dnsName = t.strMatching(/^(?!-)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/i, "DNS name");
const zipRelease = t.submodule({
  options: {
    url: option({
      type: t.strMatching(/^https:\/\/[A-Za-z0-9.-]+\/[A-Za-z0-9._~/%+-]+\.zip$/, "https URL of a .zip release"),
      description: "The release zip.",
    }),
    sha256: option({
      type: t.strMatching(/^[0-9a-f]{64}$/, "sha256 (64 lower-case hex digits)"),
      description: "Its sha256 from the release's SHA256SUMS.",
    }),
  },
});

export const festivalMonitoring = defineModule({
  name: "festival-monitoring",
  imports: [monitoring, scrapeTargets, grafana, loki, acme],
  options: {
    zugvoegel: {
      services: {
        monitoring: {
          enable: option({ type: t.bool, default: false, description: "The festival's monitoring stack on this host." }),
          metricsDomain: option({ type: dnsName, description: "Where every host writes metrics and logs (HTTPS, per-host tokens)." }),
          grafanaDomain: option({ type: dnsName, description: "Where Grafana is served (HTTPS)." }),
          retention: option({
            type: t.strMatching(/^\d+[hdwy]?$/, 'retention such as "90d"'),
            default: "90d",
            description: "How long metrics are kept.",
          }),
          logRetention: option({ type: t.duration, default: 31 * 24 * 3600, description: "How long log lines are kept (whole days)." }),
          grafanaRelease: releaseOptions("Grafana", {
            archive: "tar.gz",
            example: "https://dl.grafana.com/oss/release/grafana-11.3.0.linux-amd64.tar.gz",
          }),
          lokiRelease: option({
            type: t.nullOr(zipRelease),
            default: null,
            description: "Loki's release zip with its sha256; null: no Loki and no log shipping (a warning says so).",
          }),
          promtailRelease: option({
            type: t.nullOr(zipRelease),
            default: null,
            description: "Promtail's release zip with its sha256, for every host that ships logs.",
          }),
          appScrapePort: option({
            type: t.nullOr(t.port),
            default: 8000,
            description: "The audio-transcriber's metrics port on this host (scraped at /metrics); null: none.",
          }),
        },
      },
    },
  },
  config: ({ config }) => {
    const cfg = config.zugvoegel.services.monitoring;
    const logs = cfg.lokiRelease !== null && cfg.promtailRelease !== null;
    return mkIf(cfg.enable, {
      monitoring: {
        // The seed's ports: Prometheus 9090, Grafana 3000, Loki 3100, Promtail 9080.
        server: { enable: true, backend: "prometheus", port: 9090, domain: cfg.metricsDomain, retention: cfg.retention },
        scrapeTargets: {
          grafana: { port: config.services.grafana.port },
          ...(cfg.appScrapePort === null ? {} : { "audio-transcriber": { port: cfg.appScrapePort } }),
          ...(logs ? { loki: { port: config.services.loki.port } } : {}),
        },
      },
      services: {
        grafana: { enable: true, domain: cfg.grafanaDomain, package: cfg.grafanaRelease },
        ...(logs
          ? {
              loki: { enable: true, retention: cfg.logRetention, package: cfg.lokiRelease! },
              promtail: { enable: true, package: cfg.promtailRelease! },
            }
          : {}),
      },
      // Loki first: Grafana's log datasource and the local Promtail talk to it.
      systemd: logs ? { services: { grafana: { after: ["loki.service"] }, promtail: { after: ["loki.service"] } } } : {},
      warnings: logs
        ? []
        : ["zugvoegel.services.monitoring: lokiRelease and promtailRelease are not set, so no logs are collected (no Loki, no Promtail)"],
    });
  },
});

// The options of services.grafana. Grafana is not a Debian package: its release tarball comes through
// files.<path>.url with a pinned sha256, which the user names (there is no default download).
import { formats, option, releaseOptions, secret, types as t } from "roost";

export const json = formats.json();

const dnsName = t.strMatching(/^(?!-)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/i, "DNS name");
const httpUrl = t.strMatching(/^https?:\/\/[A-Za-z0-9.:[\]-]+(\/[A-Za-z0-9._~/-]*)?$/, "http(s) URL without query");

const datasourceUrl = (what: string) =>
  option({
    type: t.nullOr(httpUrl),
    description: `The ${what} Grafana reads; null: no such datasource.`,
    defaultText: `the local ${what} when this host runs it, else null`,
  });

export const grafanaOptions = {
  enable: option({
    type: t.bool,
    default: false,
    description: "Run Grafana (from its release tarball) behind nginx with an ACME certificate.",
  }),
  package: releaseOptions("Grafana", {
    archive: "tar.gz",
    example: "https://dl.grafana.com/oss/release/grafana-11.3.0.linux-amd64.tar.gz",
  }),
  domain: option({
    type: dnsName,
    description: "The name Grafana is served under (an nginx virtual host, HTTPS).",
    example: "grafana.example.org",
  }),
  enableACME: option({ type: t.bool, default: true, description: "Get the certificate from ACME (security.acme)." }),
  port: option({ type: t.port, default: 3000, description: "Grafana's HTTP port, on 127.0.0.1 only (nginx is the way in)." }),
  dataDir: option({ type: t.path, default: "/var/lib/grafana", description: "Grafana's database, plugins and sessions." }),
  adminUser: option({ type: t.strMatching(/^[A-Za-z0-9._-]+$/, "user name"), default: "admin", description: "The administrator's login." }),
  adminPasswordSecret: option({
    type: t.secretRef,
    default: secret("grafana_admin_password"),
    description:
      "The administrator's password, a Roost secret (`roost secrets generate grafana_admin_password`), read by Grafana from /run/roost/secrets through GF_SECURITY_ADMIN_PASSWORD__FILE. Grafana sets it when it creates its database.",
  }),
  settings: option({
    type: formats.ini().type,
    default: {},
    description: "More of grafana.ini, in Grafana's own sections and keys; merged over what the module writes.",
    example: { users: { default_theme: "light" } },
  }),
  datasources: {
    metrics: datasourceUrl("Prometheus-compatible metrics (VictoriaMetrics or Prometheus)"),
    loki: datasourceUrl("Loki"),
    alertmanager: datasourceUrl("Alertmanager"),
  },
  fleetDashboards: option({
    type: t.bool,
    default: true,
    description:
      "Provision roost/services/dashboards: system overview, systemd health, backups and one per app of the fleet with a metrics path.",
  }),
  dashboards: option({
    type: t.attrsOf(json.type, t.strMatching(/^[a-z0-9][a-z0-9_-]*\.json$/, "dashboard file name (lower case, .json)")),
    default: {},
    description: "More dashboards as Grafana's JSON model, by file name.",
  }),
};

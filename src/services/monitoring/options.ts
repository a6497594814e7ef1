// The options of monitoring.server (the central host) and monitoring.agent (every host).
import { defineModule, formats, mkDefault, option, secret, types as t } from "roost";
import { serverNames } from "./fleet.ts";

export const prometheusYaml = formats.prometheusYaml();

const mailAddress = t.strMatching(/^[^\s@<>"',;]+@[A-Za-z0-9.-]+$/, "mail address (local@domain)");
const hostPort = t.strMatching(/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/, 'host:port such as "smtp.example.org:587"');
const dnsName = t.strMatching(/^(?!-)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/i, "DNS name");
/** VictoriaMetrics' -retentionPeriod: months as a number, or a number with h, d, w or y. */
const retention = t.strMatching(/^\d+[hdwy]?$/, 'retention such as "12" (months), "90d" or "2y"');
const flag = t.strMatching(/^-{1,2}[A-Za-z0-9][A-Za-z0-9._-]*(=.*)?$/, "command-line flag (-name or -name=value)");

const flags = (program: string) =>
  option({ type: t.listOf(flag), default: [], description: `More command-line flags of ${program}, one per item.` });

export const serverOptions = {
  enable: option({
    type: t.bool,
    default: false,
    description:
      "Make this host the fleet's monitoring server: VictoriaMetrics, vmalert and Alertmanager, behind an HTTPS ingest endpoint that every agent writes to with its own token.",
  }),
  backend: option({
    type: t.enumOf(["victoriametrics", "prometheus"]),
    default: "victoriametrics",
    description:
      "The time series database: VictoriaMetrics (Debian's victoria-metrics, rules by vmalert), or Prometheus (Debian's prometheus with its remote-write receiver, evaluating the rules itself; writes reach it through a local vmagent that stamps the host label).",
  }),
  domain: option({
    type: dnsName,
    description:
      "The name of the ingest endpoint (an nginx virtual host with an ACME certificate); agents write to https://<domain>/api/v1/write.",
    example: "metrics.apps.example.org",
  }),
  enableACME: option({
    type: t.bool,
    default: true,
    description:
      "Get the endpoint's certificate from ACME (security.acme); false: set services.nginx.virtualHosts.<domain>.sslCertificate yourself.",
  }),
  retention: option({
    type: retention,
    default: "12",
    description: "How long samples are kept (VictoriaMetrics -retentionPeriod: months, or with a unit h, d, w, y).",
  }),
  port: option({
    type: t.port,
    default: 8428,
    description: "The database's port, on 127.0.0.1 only (nginx is the way in); 8428 for VictoriaMetrics, 9090 is usual for Prometheus.",
  }),
  relayPort: option({
    type: t.port,
    default: 8430,
    description: "With the prometheus backend: the port of the vmagent on 127.0.0.1 that passes writes on with the host label.",
  }),
  evaluationInterval: option({ type: t.duration, default: 60, description: "How often vmalert evaluates the rules." }),
  hostDownAfter: option({
    type: t.duration,
    default: 300,
    description:
      "How long a host (not intermittent) that reported within the last week may send nothing before HostNotReporting fires; a host that never reported (not deployed yet) raises none.",
  }),
  vmalertPort: option({ type: t.port, default: 8880, description: "vmalert's port, on 127.0.0.1." }),
  victoriametricsFlags: flags("victoria-metrics"),
  prometheusFlags: flags("prometheus"),
  vmalertFlags: flags("vmalert"),
  alertmanager: {
    port: option({ type: t.port, default: 9093, description: "Alertmanager's port, on 127.0.0.1." }),
    groupWait: option({
      type: t.duration,
      default: 30,
      description: "How long the first alert of a group waits for others before it is mailed.",
    }),
    groupInterval: option({ type: t.duration, default: 300, description: "How long a group waits before new alerts of it are mailed." }),
    repeatInterval: {
      critical: option({ type: t.duration, default: 3600, description: "How often a still firing critical alert is mailed again." }),
      warning: option({ type: t.duration, default: 4 * 3600, description: "How often a still firing warning is mailed again." }),
      info: option({ type: t.duration, default: 24 * 3600, description: "How often a still firing info alert is mailed again." }),
    },
    settings: option({
      type: prometheusYaml.type,
      default: {},
      description: "More of alertmanager.yml, in Alertmanager's own keys; merged over what the module writes.",
      example: { global: { smtp_hello: "mon.example.org" } },
    }),
    flags: flags("prometheus-alertmanager"),
  },
  mail: {
    to: option({
      type: t.listOf(mailAddress),
      default: [],
      description: "Who receives the alert mails.",
      example: ["ops@example.org"],
    }),
    from: option({ type: mailAddress, description: "The sender of alert mails.", example: "alerts@example.org" }),
    smarthost: option({
      type: hostPort,
      description: "The SMTP server Alertmanager sends through, as host:port.",
      example: "smtp.example.org:587",
    }),
    user: option({ type: t.nullOr(t.str), default: null, description: "The SMTP login; null: none." }),
    passwordSecret: option({
      type: t.nullOr(t.secretRef),
      default: null,
      description: "The SMTP password, as a Roost secret (read by Alertmanager from /run/roost/secrets).",
      example: { secret: "smtp_password" },
    }),
    requireTls: option({ type: t.bool, default: true, description: "Refuse to send unless the server speaks STARTTLS." }),
  },
};

export const agentOptions = {
  enable: option({
    type: t.bool,
    description:
      "Send this host's metrics to the fleet's monitoring server: node_exporter, and vmagent scraping it and every monitoring.scrapeTargets entry of the host.",
    defaultText: "true when a host of the fleet has monitoring.server.enable",
  }),
  intermittent: option({
    type: t.bool,
    default: false,
    description:
      "The host comes and goes (a laptop): its absence raises no HostNotReporting, and vmagent's buffer sends what it kept when it is back.",
  }),
  tokenSecret: option({
    type: t.secretRef,
    description: "The bearer token this host writes with; the server's nginx maps it to this host's name.",
    defaultText: 'secret("monitoring_token_<host>")',
  }),
  bufferSize: option({
    type: t.bytes,
    default: "1G",
    description: "Disk vmagent may use to keep samples while the server is out of reach (-remoteWrite.maxDiskUsagePerURL).",
  }),
  scrapeInterval: option({ type: t.duration, default: 30, description: "How often vmagent scrapes the local targets." }),
  flushInterval: option({ type: t.duration, default: 5, description: "How often vmagent sends what it scraped." }),
  tlsCAFile: option({
    type: t.nullOr(t.path),
    default: null,
    description: "A PEM file of the CA that signs the server's certificate; null: the system's CAs.",
  }),
  resolveServer: option({
    type: t.bool,
    default: true,
    description:
      "vmagent reaches the server's domain at the server's networking.addresses[0] (a hosts file of its own), so agents need no DNS for it.",
  }),
  scrapeConfigs: option({
    type: t.listOf(prometheusYaml.type),
    default: [],
    description: "More scrape_configs entries for vmagent, in Prometheus' own keys.",
  }),
  healthChecks: option({
    type: t.bool,
    default: true,
    description:
      "Run the host's health checks every minute and export each as roost_health_check_ok{check=…} (node_exporter's textfile collector), so a failing one alerts.",
  }),
  flags: flags("vmagent"),
};

/**
 * The defaults that read the fleet, in a module of their own: the monitoring module reads
 * monitoring.agent.enable to decide what it defines, so it may not define it itself.
 */
export const monitoringDefaults = defineModule({
  name: "monitoring-defaults",
  config: ({ nodes, name }) => ({
    monitoring: {
      agent: {
        get enable() {
          return mkDefault(serverNames(nodes).length > 0);
        },
        tokenSecret: mkDefault(secret(`monitoring_token_${name}`)),
      },
      logs: {
        get enable() {
          return mkDefault(serverNames(nodes).length > 0);
        },
      },
    },
  }),
});

// The central host's programs: VictoriaMetrics (storage), vmalert (rules) and Alertmanager (mail),
// each on 127.0.0.1 and run by Roost's own unit.
import { execLine } from "roost";
import { configDir } from "./agent.ts";
import { promDuration } from "./duration.ts";
import { hostLevelLabel } from "./render-rules.ts";

export const rulesFile = `${configDir}/rules.yml`;
export const prometheusFile = `${configDir}/prometheus.yml`;
export const relabelFile = `${configDir}/relay-relabel.yml`;
export const rulesTestFile = `${configDir}/rules.test.yml`;
export const alertmanagerFile = `${configDir}/alertmanager.yml`;
export const smtpPasswordOutput = "monitoring-smtp-password";
const vmDataDir = "/var/lib/victoria-metrics";
const alertmanagerDataDir = "/var/lib/prometheus/alertmanager";
const prometheusDataDir = "/var/lib/prometheus/metrics2";

const hardening = {
  NoNewPrivileges: true,
  ProtectSystem: "strict" as const,
  ProtectHome: "yes" as const,
  PrivateTmp: true,
  PrivateDevices: true,
} as const;

export interface ServerSettings {
  readonly port: number;
  readonly retention: string;
  readonly evaluationInterval: number;
  readonly vmalertPort: number;
  readonly victoriametricsFlags: readonly string[];
  readonly prometheusFlags: readonly string[];
  readonly relayPort: number;
  readonly vmalertFlags: readonly string[];
  readonly alertmanager: { readonly port: number; readonly flags: readonly string[] };
}

export function victoriaMetricsUnit(cfg: ServerSettings) {
  return {
    description: "VictoriaMetrics: the fleet's metrics",
    documentation: ["https://docs.victoriametrics.com/"],
    wantedBy: ["multi-user.target"],
    after: ["network.target"],
    serviceConfig: {
      ExecStart: [
        execLine([
          "/usr/bin/victoria-metrics",
          `-storageDataPath=${vmDataDir}`,
          `-httpListenAddr=127.0.0.1:${cfg.port}`,
          `-retentionPeriod=${cfg.retention}`,
          ...cfg.victoriametricsFlags,
        ]),
      ],
      User: "_victoria-metrics",
      Group: "_victoria-metrics",
      ReadWritePaths: [vmDataDir],
      LimitNOFILE: 65536,
      Restart: "on-failure" as const,
      RestartSec: 1,
      ...hardening,
    },
  };
}

/** On a host that is no monitoring server, the package's VictoriaMetrics (installed for vmagent) must not run. */
export function idleVictoriaMetricsUnit() {
  return {
    description: "VictoriaMetrics does not run here: its package is installed for vmagent only",
    wantedBy: ["multi-user.target"],
    serviceConfig: { Type: "oneshot" as const, ExecStart: ["/bin/true"] },
  };
}

export function vmalertUnit(cfg: ServerSettings) {
  const vm = `http://127.0.0.1:${cfg.port}`;
  return {
    description: "vmalert: the fleet's alert rules",
    documentation: ["https://docs.victoriametrics.com/vmalert.html"],
    wantedBy: ["multi-user.target"],
    after: ["victoria-metrics.service", "prometheus-alertmanager.service"],
    serviceConfig: {
      ExecStart: [
        execLine([
          "/usr/bin/vmalert",
          `-rule=${rulesFile}`,
          `-datasource.url=${vm}`,
          `-remoteWrite.url=${vm}`,
          `-remoteRead.url=${vm}`,
          `-notifier.url=http://127.0.0.1:${cfg.alertmanager.port}`,
          `-evaluationInterval=${promDuration(cfg.evaluationInterval)}`,
          `-httpListenAddr=127.0.0.1:${cfg.vmalertPort}`,
          // The rules are the whole fleet's (read through nodes, after the units are rendered), so
          // vmalert notices a new rule file by itself rather than by a reload trigger.
          "-configCheckInterval=15s",
          ...cfg.vmalertFlags,
        ]),
      ],
      // SIGHUP re-reads the rules.
      ExecReload: ["/bin/kill -HUP $MAINPID"],
      DynamicUser: true,
      Restart: "on-failure" as const,
      RestartSec: 1,
      ...hardening,
    },
  };
}

export function alertmanagerUnit(cfg: ServerSettings, configText: string, hasPassword: boolean) {
  return {
    description: "Alertmanager: alert mails of the fleet",
    documentation: ["https://prometheus.io/docs/alerting/alertmanager/"],
    wantedBy: ["multi-user.target"],
    after: ["network-online.target"],
    wants: ["network-online.target"],
    secrets: hasPassword ? [smtpPasswordOutput] : [],
    serviceConfig: {
      ExecStart: [
        execLine([
          "/usr/bin/prometheus-alertmanager",
          `--config.file=${alertmanagerFile}`,
          `--storage.path=${alertmanagerDataDir}`,
          `--web.listen-address=127.0.0.1:${cfg.alertmanager.port}`,
          // One instance: no gossip port on every address.
          "--cluster.listen-address=",
          ...cfg.alertmanager.flags,
        ]),
      ],
      ExecReload: ["/bin/kill -HUP $MAINPID"],
      User: "prometheus",
      Group: "prometheus",
      ReadWritePaths: [alertmanagerDataDir],
      Restart: "on-failure" as const,
      ...hardening,
    },
    reloadTriggers: [configText],
  };
}

export interface MailSettings {
  readonly to: readonly string[];
  readonly from: string;
  readonly smarthost: string;
  readonly user: string | null;
  readonly hasPassword: boolean;
  readonly requireTls: boolean;
}

export interface RouteSettings {
  readonly groupWait: number;
  readonly groupInterval: number;
  readonly repeatInterval: { readonly critical: number; readonly warning: number; readonly info: number };
}

/** alertmanager.yml: every alert mailed, repeated by severity, host-level alerts quiet while their host is down. */
export function alertmanagerConfig(mail: MailSettings, routes: RouteSettings) {
  return {
    global: {
      smtp_smarthost: mail.smarthost,
      smtp_from: mail.from,
      smtp_require_tls: mail.requireTls,
      ...(mail.user === null ? {} : { smtp_auth_username: mail.user }),
      ...(mail.hasPassword ? { smtp_auth_password_file: `/run/roost/secrets/${smtpPasswordOutput}` } : {}),
    },
    route: {
      receiver: "mail",
      group_by: ["alertname", "host"],
      group_wait: promDuration(routes.groupWait),
      group_interval: promDuration(routes.groupInterval),
      repeat_interval: promDuration(routes.repeatInterval.warning),
      routes: (["critical", "warning", "info"] as const).map((severity) => ({
        matchers: [`severity="${severity}"`],
        receiver: "mail",
        repeat_interval: promDuration(routes.repeatInterval[severity]),
      })),
    },
    inhibit_rules: [
      {
        source_matchers: ['alertname="HostNotReporting"'],
        target_matchers: [`${hostLevelLabel}="host"`],
        equal: ["host"],
      },
    ],
    receivers: [{ name: "mail", email_configs: [{ to: mail.to.join(", "), send_resolved: true }] }],
  };
}

/** Prometheus' retention: VictoriaMetrics' months (a bare number) as days, the rest as written. */
export function prometheusRetention(retention: string): string {
  return /^\d+$/.test(retention) ? `${Number(retention) * 31}d` : retention;
}

/** prometheus.yml: the rules beside it, alerts to the local Alertmanager, late samples (a laptop's buffer) accepted for a day. */
export function prometheusConfig(cfg: ServerSettings) {
  return {
    global: { evaluation_interval: promDuration(cfg.evaluationInterval) },
    rule_files: ["rules.yml"],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${cfg.alertmanager.port}`] }] }] },
    storage: { tsdb: { out_of_order_time_window: "1d" } },
  };
}

export function prometheusUnit(cfg: ServerSettings, configText: string) {
  return {
    description: "Prometheus: the fleet's metrics and alert rules",
    documentation: ["https://prometheus.io/docs/"],
    wantedBy: ["multi-user.target"],
    after: ["network.target"],
    serviceConfig: {
      ExecStart: [
        execLine([
          "/usr/bin/prometheus",
          `--config.file=${prometheusFile}`,
          `--storage.tsdb.path=${prometheusDataDir}`,
          `--storage.tsdb.retention.time=${prometheusRetention(cfg.retention)}`,
          `--web.listen-address=127.0.0.1:${cfg.port}`,
          "--web.enable-remote-write-receiver",
          ...cfg.prometheusFlags,
        ]),
      ],
      // SIGHUP re-reads the configuration and the rules.
      ExecReload: ["/bin/kill -HUP $MAINPID"],
      User: "prometheus",
      Group: "prometheus",
      ReadWritePaths: [prometheusDataDir],
      Restart: "on-failure" as const,
      ...hardening,
    },
    reloadTriggers: [configText],
  };
}

/** With the prometheus backend: a vmagent that takes nginx's writes, adds the host label and passes them on. */
export function relayUnit(cfg: ServerSettings, relabelText: string) {
  return {
    description: "vmagent: writes of the fleet's agents to Prometheus, with the host label",
    wantedBy: ["multi-user.target"],
    after: ["prometheus.service"],
    serviceConfig: {
      ExecStart: [
        execLine([
          "/usr/bin/vmagent",
          `-httpListenAddr=127.0.0.1:${cfg.relayPort}`,
          `-remoteWrite.url=http://127.0.0.1:${cfg.port}/api/v1/write`,
          "-remoteWrite.tmpDataPath=/var/lib/vmagent-relay",
          "-remoteWrite.flushInterval=1s",
          `-remoteWrite.relabelConfig=${relabelFile}`,
        ]),
      ],
      // SIGHUP re-reads the relabeling.
      ExecReload: ["/bin/kill -HUP $MAINPID"],
      User: "vmagent",
      Group: "vmagent",
      StateDirectory: ["vmagent-relay"],
      Restart: "always" as const,
      RestartSec: 5,
      ...hardening,
    },
    reloadTriggers: [relabelText],
  };
}

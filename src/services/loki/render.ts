// Loki's and Promtail's configuration files and units, from typed settings.
import { execLine, formats } from "roost";
import { promDuration } from "roost/services/monitoring";

export const yaml = formats.yaml();
type Yaml = Parameters<typeof yaml.generate>[0];

export const lokiFile = "/etc/loki/loki.yaml";
export const promtailFile = "/etc/promtail/promtail.yaml";
export const lokiZip = "/opt/roost-downloads/loki-linux-amd64.zip";
export const promtailZip = "/opt/roost-downloads/promtail-linux-amd64.zip";
export const lokiBinary = "/opt/loki/loki-linux-amd64";
export const promtailBinary = "/opt/promtail/promtail-linux-amd64";
export const promtailTokenOutput = "promtail-token";
export const promtailStateDir = "/var/lib/promtail";

export interface LokiSettings {
  readonly port: number;
  readonly grpcPort: number;
  readonly dataDir: string;
  readonly retention: number;
}

/**
 * Single-binary Loki on the filesystem. auth_enabled: every push carries X-Scope-OrgID, which nginx
 * sets to the host its token belongs to, so a host's lines live in its own tenant; queries read many
 * tenants at once (multi_tenant_queries_enabled).
 */
export function lokiConfig(s: LokiSettings): Yaml {
  const d = s.dataDir;
  return {
    auth_enabled: true,
    server: {
      http_listen_address: "127.0.0.1",
      http_listen_port: s.port,
      grpc_listen_address: "127.0.0.1",
      grpc_listen_port: s.grpcPort,
      log_level: "warn",
    },
    common: {
      instance_addr: "127.0.0.1",
      path_prefix: d,
      replication_factor: 1,
      ring: { kvstore: { store: "inmemory" } },
      storage: { filesystem: { chunks_directory: `${d}/chunks`, rules_directory: `${d}/rules` } },
    },
    schema_config: {
      configs: [
        { from: "2024-01-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } },
      ],
    },
    compactor: {
      working_directory: `${d}/compactor`,
      retention_enabled: true,
      delete_request_store: "filesystem",
    },
    limits_config: {
      // Whole hours, as Loki's documentation writes it (744h); the module allows whole days only.
      retention_period: `${s.retention / 3600}h`,
      reject_old_samples: true,
      reject_old_samples_max_age: "168h",
    },
    querier: { multi_tenant_queries_enabled: true },
    analytics: { reporting_enabled: false },
  };
}

export interface PromtailSettings {
  readonly host: string;
  readonly pushUrl: string;
  readonly port: number;
  readonly maxAge: number;
}

/** The journal, labelled host (external label), unit, and container for podman/docker's journald logs. */
export function promtailConfig(s: PromtailSettings): Yaml {
  return {
    server: { http_listen_address: "127.0.0.1", http_listen_port: s.port, grpc_listen_port: 0, log_level: "warn" },
    positions: { filename: `${promtailStateDir}/positions.yaml` },
    clients: [
      {
        url: s.pushUrl,
        bearer_token_file: `/run/roost/secrets/${promtailTokenOutput}`,
        external_labels: { host: s.host },
        backoff_config: { min_period: "1s", max_period: "5m", max_retries: 100 },
      },
    ],
    scrape_configs: [
      {
        job_name: "journal",
        // No path: Promtail reads the persistent journal and the volatile one, whichever the host keeps.
        journal: { max_age: promDuration(s.maxAge), labels: { job: "systemd-journal" } },
        relabel_configs: [
          { source_labels: ["__journal__systemd_unit"], target_label: "unit" },
          { source_labels: ["__journal_container_name"], target_label: "container" },
          { source_labels: ["__journal_priority_keyword"], target_label: "level" },
          { source_labels: ["__journal_syslog_identifier"], target_label: "identifier" },
        ],
      },
    ],
  };
}

const hardening = {
  Restart: "always" as const,
  RestartSec: 5,
  NoNewPrivileges: true,
  ProtectSystem: "strict" as const,
  ProtectHome: "yes" as const,
  PrivateTmp: true,
  PrivateDevices: true,
};

/** The zip is unpacked as root before each start: the download is replaced when its sha256 changes. */
const unzip = (zip: string, dir: string) => execLine(["+/usr/bin/unzip", "-o", "-q", zip, "-d", dir]);

export function lokiUnit(s: LokiSettings, configText: string) {
  return {
    description: "Loki: the fleet's logs",
    documentation: ["https://grafana.com/docs/loki/latest/"],
    wantedBy: ["multi-user.target"],
    after: ["network-online.target"],
    wants: ["network-online.target"],
    serviceConfig: {
      ExecStartPre: [unzip(lokiZip, "/opt/loki")],
      ExecStart: [execLine([lokiBinary, `-config.file=${lokiFile}`])],
      User: "loki",
      Group: "loki",
      ReadWritePaths: [s.dataDir],
      ...hardening,
    },
    restartTriggers: [configText],
  };
}

export function promtailUnit(configText: string) {
  return {
    description: "Promtail: this host's journal to the fleet's Loki",
    documentation: ["https://grafana.com/docs/loki/latest/send-data/promtail/"],
    wantedBy: ["multi-user.target"],
    after: ["network-online.target", "systemd-journald.service"],
    wants: ["network-online.target"],
    secrets: [promtailTokenOutput],
    serviceConfig: {
      ExecStartPre: [unzip(promtailZip, "/opt/promtail")],
      ExecStart: [execLine([promtailBinary, `-config.file=${promtailFile}`])],
      User: "promtail",
      Group: "promtail",
      // The journal is readable by its group.
      SupplementaryGroups: ["systemd-journal"],
      StateDirectory: ["promtail"],
      ...hardening,
    },
    restartTriggers: [configText],
  };
}

// What services.grafana writes: grafana.ini, the provisioning files and the unit.
import { execLine, formats } from "roost";

export const configDir = "/etc/grafana";
export const iniFile = `${configDir}/grafana.ini`;
export const datasourcesFile = `${configDir}/provisioning/datasources/roost.yaml`;
export const dashboardProviderFile = `${configDir}/provisioning/dashboards/roost.yaml`;
export const dashboardsDir = `${configDir}/dashboards`;
export const installDir = "/opt/grafana";
export const tarball = "/opt/roost-downloads/grafana-linux-amd64.tar.gz";
export const adminPasswordOutput = "grafana-admin-password";

const ini = formats.ini();
const yaml = formats.yaml();

interface Settings {
  readonly domain: string;
  readonly port: number;
  readonly dataDir: string;
  readonly adminUser: string;
}

export function grafanaIni(cfg: Settings, extra: Parameters<typeof ini.generate>[0]): string {
  const base: Record<string, Record<string, string | number | boolean>> = {
    paths: { data: cfg.dataDir, logs: `${cfg.dataDir}/log`, plugins: `${cfg.dataDir}/plugins`, provisioning: `${configDir}/provisioning` },
    server: { http_addr: "127.0.0.1", http_port: cfg.port, domain: cfg.domain, root_url: `https://${cfg.domain}/`, enforce_domain: false },
    security: { admin_user: cfg.adminUser, disable_gravatar: true, cookie_secure: true, disable_initial_admin_creation: false },
    users: { allow_sign_up: false, allow_org_create: false },
    analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false },
    log: { mode: "console" },
  };
  for (const [section, keys] of Object.entries(extra))
    base[section] = { ...base[section], ...(keys as Record<string, string | number | boolean>) };
  return `; Written by Roost from services.grafana.\n${ini.generate(base)}`;
}

export interface Datasources {
  readonly metrics: string | null;
  readonly loki: string | null;
  readonly alertmanager: string | null;
}

export function datasourcesYaml(ds: Datasources, lokiTenants: readonly string[]): string {
  const list = [
    ...(ds.metrics === null
      ? []
      : [
          { name: "Metrics", uid: "roost-metrics", type: "prometheus", access: "proxy", url: ds.metrics, isDefault: true, editable: false },
        ]),
    ...(ds.loki === null
      ? []
      : [
          {
            name: "Logs",
            uid: "roost-logs",
            type: "loki",
            access: "proxy",
            url: ds.loki,
            editable: false,
            jsonData: { httpHeaderName1: "X-Scope-OrgID" },
            secureJsonData: { httpHeaderValue1: lokiTenants.join("|") },
          },
        ]),
    ...(ds.alertmanager === null
      ? []
      : [
          {
            name: "Alertmanager",
            uid: "roost-alertmanager",
            type: "alertmanager",
            access: "proxy",
            url: ds.alertmanager,
            editable: false,
            jsonData: { implementation: "prometheus" },
          },
        ]),
  ];
  return yaml.generate({ apiVersion: 1, datasources: list } as unknown as Parameters<typeof yaml.generate>[0]);
}

export function dashboardProviderYaml(): string {
  return yaml.generate({
    apiVersion: 1,
    providers: [
      {
        name: "roost",
        folder: "Roost",
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: dashboardsDir, foldersFromFilesStructure: false },
      },
    ],
  });
}

export function grafanaUnit(cfg: { dataDir: string }, reloadOn: string) {
  return {
    description: "Grafana",
    documentation: ["https://grafana.com/docs/grafana/latest/"],
    wantedBy: ["multi-user.target"],
    after: ["network-online.target"],
    wants: ["network-online.target"],
    secrets: [adminPasswordOutput],
    environment: { GF_SECURITY_ADMIN_PASSWORD__FILE: `/run/roost/secrets/${adminPasswordOutput}`, GF_PATHS_HOME: installDir },
    serviceConfig: {
      // The tarball is unpacked as root before each start: the download is replaced when its sha256 changes.
      ExecStartPre: [execLine(["+/usr/bin/tar", "-xzf", tarball, "-C", installDir, "--strip-components=1", "--no-same-owner"])],
      ExecStart: [execLine([`${installDir}/bin/grafana`, "server", `--homepath=${installDir}`, `--config=${iniFile}`])],
      User: "grafana",
      Group: "grafana",
      WorkingDirectory: installDir,
      Restart: "always" as const,
      RestartSec: 5,
      NoNewPrivileges: true,
      ProtectHome: "yes" as const,
      PrivateTmp: true,
      PrivateDevices: true,
      ProtectSystem: "strict" as const,
      ReadWritePaths: [cfg.dataDir],
    },
    restartTriggers: [reloadOn],
  };
}

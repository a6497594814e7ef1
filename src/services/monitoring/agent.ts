// The agent of every host: vmagent scrapes the host's registered targets and itself, and writes to
// the server's ingest endpoint with the host's own token, keeping a disk buffer while it cannot.
import { execLine, shellQuote } from "roost";
import type { Server } from "./fleet.ts";
import { promDuration } from "./duration.ts";

export const vmagentPort = 8429;
export const configDir = "/etc/roost-monitoring";
export const scrapeFile = `${configDir}/vmagent.yml`;
export const hostsFile = `${configDir}/vmagent-hosts`;
export const tokenOutput = "monitoring-token";
const tokenPath = `/run/roost/secrets/${tokenOutput}`;
const stateDir = "/var/lib/vmagent";
/** Written by node_exporter's textfile collector. */
export const healthMetricsFile = "roost_health.prom";

interface Target {
  readonly port: number;
  readonly path: string;
  readonly scheme: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** vmagent's scrape file: every target registered on this host, at 127.0.0.1, and vmagent itself. */
export function scrapeConfig(targets: Readonly<Record<string, Target>>, interval: number, extra: readonly unknown[]) {
  return {
    global: { scrape_interval: promDuration(interval) },
    scrape_configs: [
      { job_name: "vmagent", static_configs: [{ targets: [`127.0.0.1:${vmagentPort}`] }] },
      ...Object.keys(targets)
        .sort()
        .filter((job) => job !== "vmagent")
        .map((job) => {
          const t = targets[job]!;
          return {
            job_name: job,
            scheme: t.scheme,
            metrics_path: t.path,
            static_configs: [{ targets: [`127.0.0.1:${t.port}`], ...(Object.keys(t.labels).length > 0 ? { labels: t.labels } : {}) }],
          };
        }),
      ...extra,
    ],
  };
}

/** vmagent's own /etc/hosts: localhost, and the server's domain at the server's address. */
export function hostsFileText(server: Server): string {
  return `127.0.0.1 localhost\n::1 localhost\n${server.address} ${server.domain}\n`;
}

export interface AgentSettings {
  readonly bufferSize: number;
  readonly flushInterval: number;
  readonly tlsCAFile: string | null;
  readonly resolveServer: boolean;
  readonly flags: readonly string[];
}

export function vmagentUnit(server: Server, cfg: AgentSettings, scrapeText: string) {
  const exec = [
    "/usr/bin/vmagent",
    `-promscrape.config=${scrapeFile}`,
    `-remoteWrite.url=https://${server.domain}/api/v1/write`,
    `-remoteWrite.bearerTokenFile=${tokenPath}`,
    `-remoteWrite.tmpDataPath=${stateDir}`,
    `-remoteWrite.maxDiskUsagePerURL=${cfg.bufferSize}`,
    `-remoteWrite.flushInterval=${promDuration(cfg.flushInterval)}`,
    ...(cfg.tlsCAFile === null ? [] : [`-remoteWrite.tlsCAFile=${cfg.tlsCAFile}`]),
    `-httpListenAddr=127.0.0.1:${vmagentPort}`,
    ...cfg.flags,
  ];
  return {
    description: "vmagent: this host's metrics to the monitoring server",
    documentation: ["https://docs.victoriametrics.com/vmagent.html"],
    wantedBy: ["multi-user.target"],
    after: ["network-online.target"],
    wants: ["network-online.target"],
    secrets: [tokenOutput],
    serviceConfig: {
      ExecStart: [execLine(exec)],
      // SIGHUP re-reads the scrape file; the buffer survives.
      ExecReload: ["/bin/kill -HUP $MAINPID"],
      User: "vmagent",
      Group: "vmagent",
      StateDirectory: ["vmagent"],
      Restart: "always" as const,
      RestartSec: 5,
      NoNewPrivileges: true,
      ProtectSystem: "strict" as const,
      ProtectHome: "yes" as const,
      PrivateTmp: true,
      PrivateDevices: true,
      ...(cfg.resolveServer ? { extraConfig: { BindReadOnlyPaths: `${hostsFile}:/etc/hosts` } } : {}),
    },
    reloadTriggers: [scrapeText],
  };
}

/**
 * Runs the host's health checks (roost-host report, the checks of the current generation) and writes
 * roost_health_check_ok{check} for node_exporter's textfile collector.
 */
export function healthMetricsScript(textfileDirectory: string): string {
  const file = `${textfileDirectory}/${healthMetricsFile}`;
  return [
    `out=${shellQuote(file)}`,
    'tmp="$out.tmp"',
    "/usr/local/lib/roost/roost-host report |",
    `  awk '$1 == "check" && ($2 == "ok" || $2 == "failed") && $3 ~ /^[A-Za-z0-9_.@:-]+$/ { printf "roost_health_check_ok{check=\\"%s\\"} %d\\n", $3, $2 == "ok" }' > "$tmp"`,
    'chmod 0644 "$tmp"',
    'mv -f "$tmp" "$out"',
    "",
  ].join("\n");
}

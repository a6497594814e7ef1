// The fleet's journals on the central host. Every host runs systemd-journal-upload, which cannot send
// a header: it posts to a local nginx server on 127.0.0.1, which adds the host's bearer token (from a
// secret template) and passes the upload on to the central host over HTTPS. There nginx maps the
// token to the host's name, as for metrics, and proxies to that host's own systemd-journal-remote,
// which writes /var/log/journal/remote/<host>/ only: the file carries the authenticated name, whatever
// _HOSTNAME the entries say.
import { option, shellQuote, types as t } from "roost";
import type { Agent, Server } from "./fleet.ts";

export const remoteRoot = "/var/log/journal/remote";
export const uploadAuthOutput = "monitoring-logs-upload";
const uploadAuthPath = `/run/roost/secrets/${uploadAuthOutput}`;
/** Where uploads go, as an nginx include: a file of its own, since it reads the server's address. */
export const uploadTargetFile = "/etc/roost-monitoring/logs-upload-target.conf";

export const logsOptions = {
  enable: option({
    type: t.bool,
    description:
      "Ship this host's whole journal (every unit, containers included) to the monitoring server, and on the server keep every host's journal under its name for `roost logs --fleet`.",
    defaultText: "true when a host of the fleet has monitoring.server.enable",
  }),
  uploadPort: option({
    type: t.port,
    default: 19531,
    description: "The port of the local nginx server (127.0.0.1 only) that systemd-journal-upload posts to; it adds the token.",
  }),
  remotePortBase: option({
    type: t.port,
    default: 19600,
    description:
      "On the server: the first port of the systemd-journal-remote instances on 127.0.0.1, one per host of the fleet (in name order).",
  }),
  maxUsePerHost: option({
    type: t.bytes,
    default: "1G",
    description: "On the server: the disk each host's stored journal may use; older files are removed beyond it (hourly).",
  }),
  maxAge: option({
    type: t.duration,
    default: 90 * 24 * 3600,
    description: "On the server: how long a host's journal entries are kept (files older than this are removed, hourly).",
  }),
};

export interface LogsSettings {
  readonly uploadPort: number;
  readonly remotePortBase: number;
  readonly maxUsePerHost: number;
  readonly maxAge: number;
}

/** The uploader: Debian's systemd-journal-upload, keeping its cursor so a host that was away catches up. */
export function uploadUnit(logs: LogsSettings) {
  return {
    description: "systemd-journal-upload: this host's journal to the monitoring server",
    documentation: ["man:systemd-journal-upload(8)"],
    wantedBy: ["multi-user.target"],
    after: ["network-online.target", "nginx.service"],
    wants: ["network-online.target", "nginx.service"],
    serviceConfig: {
      ExecStart: [`/lib/systemd/systemd-journal-upload --save-state --url=http://127.0.0.1:${logs.uploadPort}`],
      DynamicUser: true,
      SupplementaryGroups: ["systemd-journal"],
      StateDirectory: ["systemd/journal-upload"],
      // A failed upload (the server away) ends it; the cursor is kept, so it resumes where it stopped.
      Restart: "always" as const,
      RestartSec: 10,
      NoNewPrivileges: true,
      ProtectSystem: "strict" as const,
      ProtectHome: "yes" as const,
      PrivateDevices: true,
      PrivateTmp: true,
    },
  };
}

export const uploadUnitName = "roost-journal-upload";

/**
 * The uploader is alive: running, or waiting out RestartSec after an upload failed. It exits whenever
 * the server cannot be reached (and then catches up from its cursor), so a stricter check would fail
 * every deploy that happens while the server is away or still fetching its certificate.
 */
export function uploadHealthCheck() {
  const unit = `${uploadUnitName}.service`;
  return {
    type: "command" as const,
    command: [
      "/bin/sh",
      "-c",
      `s=$(systemctl show -P SubState ${unit}); case $s in running|auto-restart|start) ;; *) echo "${unit} is $s"; exit 1 ;; esac`,
    ],
  };
}

/** The local server journal-upload posts to: the token and the destination come from a secret template. */
export function uploadServer(domain: string, logs: LogsSettings, caFile: string | null) {
  return {
    server: [
      {
        listen: `127.0.0.1:${logs.uploadPort}`,
        server_name: "localhost",
        access_log: "off",
        location: [
          [
            "=",
            "/upload",
            {
              include: [uploadTargetFile, uploadAuthPath],
              proxy_set_header: [["Host", domain]],
              proxy_http_version: "1.1",
              proxy_request_buffering: "off",
              client_max_body_size: 0,
              proxy_ssl_server_name: "on",
              proxy_ssl_name: domain,
              proxy_ssl_verify: "on",
              proxy_ssl_trusted_certificate: caFile ?? "/etc/ssl/certs/ca-certificates.crt",
            },
          ],
          ["/", { return: 404 }],
        ],
      },
    ],
  };
}

/** Where uploads go: the server's address when agents resolve its domain themselves (as vmagent does), else the domain. */
export function uploadTargetText(server: Server | null, resolve: boolean): string {
  if (server === null) return "return 503;\n";
  const a = server.address;
  const target = resolve && a !== undefined ? (a.includes(":") ? `[${a}]` : a) : server.domain;
  return `proxy_pass https://${target}:443;\n`;
}

/** The token, as a secret template nginx includes. */
export function uploadAuthTemplate(token: Agent["token"]): string {
  return `proxy_set_header Authorization "Bearer {{secret:${token.secret}}}";\n`;
}

/** Each host's journal-remote port on the server, by the fleet's host names in order. */
export function remotePorts(hosts: readonly string[], base: number): Record<string, number> {
  return Object.fromEntries([...hosts].sort().map((h, i) => [h, base + i]));
}

export const remoteUnitName = (host: string) => `journal-remote-${host}`;

/** One systemd-journal-remote per host, on 127.0.0.1, writing that host's directory only. */
export function remoteUnit(host: string, port: number) {
  return {
    description: `systemd-journal-remote: the journal of ${host}`,
    documentation: ["man:systemd-journal-remote(8)"],
    wantedBy: ["multi-user.target"],
    serviceConfig: {
      ExecStart: [
        `/lib/systemd/systemd-journal-remote --listen-http=127.0.0.1:${port} --split-mode=none --output=${remoteRoot}/${host}/${host}.journal`,
      ],
      User: "systemd-journal-remote",
      Group: "systemd-journal-remote",
      LogsDirectory: [`journal/remote/${host}`],
      Restart: "always" as const,
      RestartSec: 5,
      NoNewPrivileges: true,
      ProtectSystem: "strict" as const,
      ProtectHome: "yes" as const,
      PrivateDevices: true,
      PrivateTmp: true,
    },
  };
}

/** A host's journal-remote on the server listens: uploads of that host have somewhere to go. */
export function remoteHealthCheck(port: number) {
  return { type: "tcp" as const, host: "127.0.0.1", port };
}

/** The central nginx: $monitoring_logs_port, the journal-remote of the host the token names. */
export function logsMap(hosts: readonly string[], base: number) {
  const ports = remotePorts(hosts, base);
  return { map: [["$monitoring_host", "$monitoring_logs_port", { default: "", ...ports }]] };
}

/** The upload location of the ingest virtual host: a missing or unknown token is 401, else the host's own journal-remote. */
export function logsLocation() {
  return {
    "= /upload": {
      extraConfig: {
        if: [["($monitoring_token_unknown)", { return: 401 }]],
        proxy_pass: "http://127.0.0.1:$monitoring_logs_port/upload",
        proxy_http_version: "1.1",
        proxy_request_buffering: "off",
        client_max_body_size: 0,
      },
    },
  };
}

/** Hourly: each host's stored journal within maxUsePerHost and maxAge (journal-remote also vacuums on rotation). */
export function vacuumScript(logs: LogsSettings): string {
  return [
    `for d in ${shellQuote(remoteRoot)}/*/; do`,
    '  [ -d "$d" ] || continue',
    `  journalctl --directory="$d" --vacuum-size=${logs.maxUsePerHost} --vacuum-time=${logs.maxAge}s`,
    "done",
    "",
  ].join("\n");
}

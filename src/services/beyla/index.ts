// Grafana Beyla: eBPF auto-instrumentation of the processes listening on the given ports, sending
// OTLP to this host's Alloy receiver when Alloy runs here. Not a Debian package: its release tarball
// comes through files.<path>.url with a pinned sha256 the user names. It runs as a transient user
// with only the capabilities eBPF tracing needs, never as root.
import { defineModule, execLine, mkDefault, mkIf, option, releaseOptions, types as t } from "roost";
import { alloy, alloyOtlpUrl, alloyRuns } from "roost/services/alloy";

const tarball = "/opt/roost-downloads/beyla-linux-amd64.tar.gz";
const installDir = "/opt/beyla";
/** Optional (led by -): Beyla runs with CAP_PERFMON where the kernel refuses it, e.g. in a container. */
export const optionalParanoid = "-kernel.perf_event_paranoid";

/** Loading eBPF programs, reading perf events, raw sockets and other users' /proc entries. */
export const beylaCapabilities = [
  "CAP_BPF",
  "CAP_PERFMON",
  "CAP_NET_RAW",
  "CAP_SYS_PTRACE",
  "CAP_DAC_READ_SEARCH",
  "CAP_CHECKPOINT_RESTORE",
] as const;

const httpUrl = t.strMatching(/^https?:\/\/[A-Za-z0-9.:[\]-]+(\/[A-Za-z0-9._~/%+-]*)?$/, "http(s) URL without query");

export const beyla = defineModule({
  name: "beyla",
  imports: [alloy],
  options: {
    services: {
      beyla: {
        enable: option({ type: t.bool, default: false, description: "Run Grafana Beyla, eBPF auto-instrumentation." }),
        release: option({
          type: t.nullOr(
            t.submodule({
              options: releaseOptions("Beyla", {
                archive: "tar.gz",
                example: "https://github.com/grafana/beyla/releases/download/v1.9.0/beyla-linux-amd64-v1.9.0.tar.gz",
              }),
            }),
          ),
          default: null,
          description: "Where Beyla comes from. null: not installed, not run (a warning says so).",
        }),
        openPort: option({
          type: t.strMatching(/^[0-9]{1,5}(-[0-9]{1,5})?(,[0-9]{1,5}(-[0-9]{1,5})?)*$/, "ports and ranges, e.g. 8000 or 80,443,8000-8999"),
          description: "BEYLA_OPEN_PORT: instrument the processes listening on these ports.",
          example: "8000-8999",
        }),
        serviceName: option({
          type: t.nullOr(t.strMatching(/^[A-Za-z0-9._-]+$/, "service name (letters, digits, . _ -)")),
          default: null,
          description: "BEYLA_SERVICE_NAME: the service name spans carry; null: Beyla names it after the executable.",
        }),
        otlpEndpoint: option({
          type: httpUrl,
          description: "OTEL_EXPORTER_OTLP_ENDPOINT: where spans and metrics go.",
          defaultText: "http://127.0.0.1:<services.alloy.otlp.port> when this host's Alloy receives OTLP",
        }),
        perfEventParanoid: option({
          type: t.nullOr(t.ints.between(-1, 4)),
          default: 1,
          description:
            "kernel.perf_event_paranoid, set through boot.kernel.sysctl before Beyla starts. Optional there (led by -): a kernel that refuses it keeps its value, and Beyla still runs with CAP_PERFMON; null: left alone.",
        }),
        environment: option({
          type: t.attrsOf(t.str, t.strMatching(/^[A-Z_][A-Z0-9_]*$/, "environment variable name")),
          default: {},
          description: "More BEYLA_* / OTEL_* settings.",
          example: { BEYLA_TRACE_PRINTER: "text" },
        }),
      },
    },
  },
  config: ({ config }) => {
    const cfg = config.services.beyla;
    const local = config.services.alloy;
    const withAlloy = alloyRuns(local);
    const receiver = alloyOtlpUrl(local);
    const sysctl = cfg.perfEventParanoid !== null;
    return mkIf(cfg.enable, {
      ...(receiver === null ? {} : { services: { beyla: { otlpEndpoint: mkDefault(receiver) } } }),
      boot: { kernel: { sysctl: sysctl ? { [optionalParanoid]: cfg.perfEventParanoid } : {} } },
      files: cfg.release === null ? {} : { [tarball]: { url: cfg.release.url, sha256: cfg.release.sha256 } },
      directories: { [installDir]: { owner: "root", group: "root", mode: "0755" } },
      systemd: {
        services: mkIf(cfg.release !== null, {
          beyla: {
            description: "Grafana Beyla: eBPF auto-instrumentation",
            documentation: ["https://grafana.com/docs/beyla/latest/"],
            wantedBy: ["multi-user.target"],
            after: ["network-online.target", ...(withAlloy ? ["alloy.service"] : []), ...(sysctl ? ["roost-sysctl.service"] : [])],
            wants: ["network-online.target", ...(withAlloy ? ["alloy.service"] : [])],
            // Read only when the unit is rendered: openPort and otlpEndpoint have no default.
            get environment() {
              return {
                BEYLA_OPEN_PORT: cfg.openPort,
                OTEL_EXPORTER_OTLP_ENDPOINT: cfg.otlpEndpoint,
                ...(cfg.serviceName === null ? {} : { BEYLA_SERVICE_NAME: cfg.serviceName }),
                ...cfg.environment,
              };
            },
            serviceConfig: {
              // As root ("+"), before each start: the tarball is replaced when its sha256 changes.
              ExecStartPre: [execLine(["+/usr/bin/tar", "-xzf", tarball, "-C", installDir, "--no-same-owner"])],
              ExecStart: [execLine([`${installDir}/beyla`])],
              DynamicUser: true,
              AmbientCapabilities: [...beylaCapabilities],
              CapabilityBoundingSet: [...beylaCapabilities],
              NoNewPrivileges: true,
              ProtectSystem: "strict" as const,
              ProtectHome: "read-only" as const,
              PrivateTmp: true,
              Restart: "always" as const,
              RestartSec: 5,
            },
            restartTriggers: [cfg.release?.sha256 ?? ""],
          },
        }),
      },
      get warnings() {
        return cfg.release === null ? ["services.beyla: release is not set, so Beyla is not installed and does not run"] : [];
      },
    });
  },
});

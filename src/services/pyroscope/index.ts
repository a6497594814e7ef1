// The Pyroscope agent: continuous profiling of this host's applications, sent to a Pyroscope
// server. Not a Debian package: its release tarball comes through files.<path>.url with a pinned
// sha256 the user names. The agent's YAML is rendered from typed options (formats.yaml); it runs as
// a transient user, ordered after Alloy when Alloy runs on the host.
import { defineModule, execLine, formats, mkIf, option, releaseOptions, types as t } from "roost";
import { alloy, alloyRuns } from "roost/services/alloy";

const yaml = formats.yaml();
const tarball = "/opt/roost-downloads/pyroscope-linux-amd64.tar.gz";
const installDir = "/opt/pyroscope";
export const agentConfigFile = "/etc/pyroscope/agent.yml";

const httpUrl = t.strMatching(/^https?:\/\/[A-Za-z0-9.:[\]-]+(\/[A-Za-z0-9._~/%+-]*)?$/, "http(s) URL without query");

const application = t.submodule({
  options: {
    spyName: option({
      type: t.enumOf(["ebpfspy", "pyspy", "rbspy", "dotnetspy", "phpspy"]),
      default: "pyspy",
      description: "The profiler that attaches to the application.",
    }),
    serviceName: option({
      type: t.strMatching(/^[A-Za-z0-9:_.@-]+\.service$/, "systemd service unit (name.service)"),
      description: "The systemd service whose main process is profiled.",
      example: "app.service",
    }),
    detectSubprocesses: option({ type: t.bool, default: true, description: "Profile the service's child processes too." }),
    tags: option({
      type: t.attrsOf(t.str, t.strMatching(/^[A-Za-z_][A-Za-z0-9_]*$/, "tag name")),
      default: {},
      description: "Tags added to this application's profiles.",
      example: { env: "production" },
    }),
  },
});

export const pyroscope = defineModule({
  name: "pyroscope",
  imports: [alloy],
  options: {
    services: {
      pyroscope: {
        agent: {
          enable: option({ type: t.bool, default: false, description: "Run the Pyroscope agent." }),
          release: option({
            type: t.nullOr(
              t.submodule({
                options: releaseOptions("Pyroscope", {
                  archive: "tar.gz",
                  contents: "with the pyroscope binary at its top",
                  example: "https://github.com/grafana/pyroscope/releases/download/v0.37.2/pyroscope_0.37.2_linux_amd64.tar.gz",
                }),
              }),
            ),
            default: null,
            description: "Where the agent comes from. null: not installed, not run (a warning says so).",
          }),
          serverAddress: option({
            type: httpUrl,
            description: "The Pyroscope server profiles go to.",
            example: "http://pyroscope.example.org:4040",
          }),
          logLevel: option({ type: t.enumOf(["debug", "info", "warn", "error"]), default: "info", description: "The agent's log level." }),
          applications: option({
            type: t.attrsOf(application, t.strMatching(/^[A-Za-z0-9._-]+$/, "application name")),
            default: {},
            description: "Applications to profile, by the name their profiles carry.",
            example: { "django-app": { spyName: "pyspy", serviceName: "app.service" } },
          }),
        },
      },
    },
  },
  config: ({ config }) => {
    const cfg = config.services.pyroscope.agent;
    const withAlloy = alloyRuns(config.services.alloy);
    // Read only when rendered: serverAddress has no default.
    const text = () =>
      yaml.generate({
        "server-address": cfg.serverAddress,
        "log-level": cfg.logLevel,
        targets: Object.entries(cfg.applications).map(([name, a]) => ({
          "application-name": name,
          "spy-name": a.spyName,
          "service-name": a.serviceName,
          "detect-subprocesses": a.detectSubprocesses,
          tags: a.tags,
        })),
      });
    return mkIf(cfg.enable, {
      files: {
        [agentConfigFile]: {
          get text() {
            return text();
          },
          mode: "0644",
        },
        ...(cfg.release === null ? {} : { [tarball]: { url: cfg.release.url, sha256: cfg.release.sha256 } }),
      },
      directories: { [installDir]: { owner: "root", group: "root", mode: "0755" } },
      systemd: {
        services: mkIf(cfg.release !== null, {
          get "pyroscope-agent"() {
            return {
              description: "Pyroscope agent: continuous profiling",
              documentation: ["https://grafana.com/docs/pyroscope/latest/"],
              wantedBy: ["multi-user.target"],
              after: ["network-online.target", ...(withAlloy ? ["alloy.service"] : [])],
              wants: ["network-online.target", ...(withAlloy ? ["alloy.service"] : [])],
              serviceConfig: {
                ExecStartPre: [execLine(["+/usr/bin/tar", "-xzf", tarball, "-C", installDir, "--no-same-owner"])],
                ExecStart: [execLine([`${installDir}/pyroscope`, "agent", "--config", agentConfigFile])],
                DynamicUser: true,
                // Reading other processes' memory and stacks is what a profiler does.
                AmbientCapabilities: ["CAP_SYS_PTRACE"],
                CapabilityBoundingSet: ["CAP_SYS_PTRACE"],
                NoNewPrivileges: true,
                ProtectSystem: "strict" as const,
                ProtectHome: "read-only" as const,
                PrivateTmp: true,
                Restart: "always" as const,
                RestartSec: 5,
              },
              restartTriggers: [text(), cfg.release?.sha256 ?? ""],
            };
          },
        }),
      },
      get warnings() {
        return cfg.release === null ? ["services.pyroscope.agent: release is not set, so the agent is not installed and does not run"] : [];
      },
    });
  },
});

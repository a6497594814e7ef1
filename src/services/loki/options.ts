// The options of services.loki (the central host) and services.promtail (every host). Neither is a
// Debian package: their release zips come through files.<path>.url with a pinned sha256 the user names.
import { option, releaseOptions, types as t } from "roost";

export const lokiOptions = {
  enable: option({
    type: t.bool,
    default: false,
    description:
      "Run Loki on the monitoring server: hosts push logs to https://<monitoring.server.domain>/loki/api/v1/push with their monitoring token, each into the tenant of its own name.",
  }),
  package: releaseOptions("Loki", {
    archive: "zip",
    contents: "one binary",
    example: "https://github.com/grafana/loki/releases/download/v3.2.1/loki-linux-amd64.zip",
  }),
  port: option({ type: t.port, default: 3100, description: "Loki's HTTP port, on 127.0.0.1 only (nginx is the way in)." }),
  grpcPort: option({ type: t.port, default: 9096, description: "Loki's gRPC port, on 127.0.0.1 only." }),
  dataDir: option({ type: t.path, default: "/var/lib/loki", description: "Chunks, index and the compactor's work." }),
  retention: option({
    type: t.duration,
    description:
      "How long log lines are kept (limits_config.retention_period, enforced by the compactor); at least 24h. There is no default and no way to keep logs forever.",
    example: 31 * 24 * 3600,
  }),
};

export const promtailOptions = {
  enable: option({
    type: t.bool,
    default: false,
    description:
      "Ship this host's journal (with host and unit labels; containers logging to journald get a container label) to the fleet's Loki, with this host's monitoring token.",
  }),
  package: releaseOptions("Promtail", {
    archive: "zip",
    contents: "one binary",
    example: "https://github.com/grafana/loki/releases/download/v3.2.1/promtail-linux-amd64.zip",
  }),
  port: option({ type: t.port, default: 9080, description: "Promtail's HTTP port (metrics, readiness), on 127.0.0.1." }),
  maxAge: option({ type: t.duration, default: 12 * 3600, description: "How far back Promtail reads the journal on its first start." }),
};

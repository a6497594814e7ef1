// The options of services.alloy. Alloy is not a Debian package: it comes from Grafana's apt
// repository (pinned to a signing key the user gives) or from a release zip pinned by sha256.
// Neither has a default: nothing is downloaded that the user did not pin.
import { formats, option, releaseOptions, types as t } from "roost";

export const alloyFormat = formats.alloy();

const armouredKey = /^\s*-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n(?:(?!-----)[\x20-\x7e\r\n])+\r?\n-----END PGP PUBLIC KEY BLOCK-----\s*$/;
const httpUrl = t.strMatching(/^https?:\/\/[A-Za-z0-9.:[\]-]+(\/[A-Za-z0-9._~/%+-]*)?$/, "http(s) URL without query");
const label = t.strMatching(/^[a-z_][a-z0-9_]*$/, "Alloy component label (a-z, 0-9, _)");
const unitName = t.strMatching(/^[A-Za-z0-9:_.@\\-]+$/, "systemd unit name (nginx or nginx.service)");
const ipAddress = t.strMatching(/^([0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)$/, "IP address");

const release = t.submodule({
  options: releaseOptions("Alloy", {
    archive: "zip",
    contents: "alloy-linux-amd64",
    example: "https://github.com/grafana/alloy/releases/download/v1.5.1/alloy-linux-amd64.zip",
  }),
});

const remoteWrite = t.submodule({
  options: {
    url: option({ type: httpUrl, description: "The Prometheus remote_write URL.", example: "https://mimir.example.org/api/v1/push" }),
    bearerTokenSecret: option({
      type: t.nullOr(t.secretRef),
      default: null,
      description: "A Roost secret sent as the bearer token; Alloy reads it from /run/roost/secrets, never from the generation.",
    }),
  },
});

const otlpExporter = t.submodule({
  options: {
    endpoint: option({
      type: httpUrl,
      description: "The OTLP/HTTP base URL the batches go to (Alloy appends /v1/traces, /v1/metrics, /v1/logs).",
      example: "http://127.0.0.1:4320",
    }),
    bearerTokenSecret: option({
      type: t.nullOr(t.secretRef),
      default: null,
      description: "A Roost secret sent as the bearer token (otelcol.auth.bearer, read with local.file).",
    }),
    queueSize: option({
      type: t.ints.between(1, 1_000_000),
      default: 1000,
      description:
        "Batches this destination's sending queue holds while it is slow or unreachable; when full, this destination drops, the others are not held up.",
    }),
    retryMaxElapsedTime: option({
      type: t.duration,
      default: "5m",
      description: "How long a batch is retried (with backoff) before this destination gives it up.",
    }),
  },
});

export const alloyOptions = {
  enable: option({ type: t.bool, default: false, description: "Run Grafana Alloy, the telemetry agent." }),
  aptKey: option({
    type: t.nullOr(t.strMatching(armouredKey, "one ASCII-armoured OpenPGP public key block")),
    default: null,
    description:
      "Install the alloy package from Grafana's apt repository (https://apt.grafana.com stable main), trusting only this signing key (https://apt.grafana.com/gpg.key, checked by you). Set this or release.",
  }),
  release: option({
    type: t.nullOr(release),
    default: null,
    description: "Install Alloy from a release zip pinned by sha256, unpacked to /opt/alloy. Set this or aptKey.",
  }),
  listenAddress: option({
    type: t.strMatching(/^[0-9.]+:[0-9]{1,5}$|^\[[0-9a-fA-F:.]+\]:[0-9]{1,5}$/, "address:port"),
    default: "127.0.0.1:12345",
    description: "Alloy's HTTP server (UI, /metrics, /-/ready): --server.http.listen-addr.",
  }),
  memoryMax: option({
    type: t.nullOr(t.bytes),
    default: "512M",
    description:
      "The unit's MemoryMax; Alloy's Go runtime gets GOMEMLIMIT at 90% of it, so it collects garbage before the kernel kills it. null: no limit.",
  }),
  nodeMetrics: {
    enable: option({
      type: t.bool,
      default: true,
      description: "Collect this machine's metrics with prometheus.exporter.unix and send them to every remoteWrite endpoint.",
    }),
    scrapeInterval: option({ type: t.duration, default: "15s", description: "How often the node metrics are scraped." }),
  },
  remoteWrite: option({
    type: t.attrsOf(remoteWrite, label),
    default: {},
    description: 'Prometheus remote_write endpoints (one prometheus.remote_write "default" with an endpoint block each), by name.',
    example: { mimir: { url: "https://mimir.example.org/api/v1/push" } },
  }),
  otlp: {
    enable: option({ type: t.bool, default: true, description: "Receive OTLP over HTTP and export it, batched, to every exporter." }),
    listenAddress: option({
      type: ipAddress,
      default: "127.0.0.1",
      description: "The address the OTLP/HTTP receiver listens on (127.0.0.1: this host's applications only).",
    }),
    port: option({ type: t.port, default: 4318, description: "The OTLP/HTTP receiver's port (declared in networking.ports)." }),
    batch: {
      sendBatchSize: option({
        type: t.ints.between(1, 1_000_000),
        default: 1000,
        description: "Spans, points or records that trigger a send.",
      }),
      sendBatchMaxSize: option({
        type: t.ints.between(0, 1_000_000),
        default: 2000,
        description: "The largest batch sent (larger ones are split); bounds the memory one batch takes. 0: no bound.",
      }),
      timeout: option({ type: t.duration, default: "10s", description: "A batch is sent after this long even when not full." }),
    },
    exporters: option({
      type: t.attrsOf(otlpExporter, label),
      default: {},
      description:
        'OTLP/HTTP destinations by name (otelcol.exporter.otlphttp "<name>"). Each has its own retry and sending queue, so an unreachable one never blocks the others.',
      example: { remote: { endpoint: "https://otlp.example.org" }, local: { endpoint: "http://127.0.0.1:4320" } },
    }),
  },
  logs: {
    lokiUrl: option({
      type: t.nullOr(httpUrl),
      default: null,
      description: "Loki's push URL (loki.write); null: no logs are collected.",
      example: "https://loki.example.org/loki/api/v1/push",
    }),
    bearerTokenSecret: option({
      type: t.nullOr(t.secretRef),
      default: null,
      description: "A Roost secret sent to Loki as the bearer token.",
    }),
    journald: {
      enable: option({ type: t.bool, default: true, description: "Ship the journal, labelled with host and unit, when lokiUrl is set." }),
      units: option({
        type: t.listOf(unitName),
        default: [],
        description:
          "Ship only these units' logs, one loki.source.journal each (a name without a suffix is a .service); empty: the whole journal.",
        example: ["nginx", "postgresql.service"],
      }),
    },
  },
  settings: option({
    type: alloyFormat.type,
    default: {},
    description:
      'More of config.alloy as a typed model, merged with what the module writes: blocks by name and label (\'prometheus.scrape "app"\': { … }), references as alloyValues.ref("…"). Every reference must name a component in the file.',
  }),
  extraFlags: option({ type: t.listOf(t.str), default: [], description: "More `alloy run` flags, one per item." }),
};

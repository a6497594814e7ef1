// Alloy's configuration as a typed model (formats.alloy) from the module's options: node metrics to
// remote_write, OTLP/HTTP in, batched, out to each exporter with its own queue, the journal to Loki.
import { type AlloyBody, alloyValues as v } from "roost";

export const configFile = "/etc/alloy/config.alloy";
export const stateDir = "/var/lib/alloy";
export const secretsDir = "/run/roost/secrets";

/** The secret output names the unit reads its bearer tokens from. */
export const tokenOutput = {
  remoteWrite: (name: string) => `alloy-remote-write-${name}`,
  otlp: (name: string) => `alloy-otlp-${name}`,
  loki: "alloy-loki",
};

export interface ConfigInput {
  readonly hostName: string;
  readonly nodeMetrics: { readonly enable: boolean; readonly scrapeInterval: number };
  readonly remoteWrite: Readonly<Record<string, { readonly url: string; readonly bearerTokenSecret: unknown }>>;
  readonly otlp: {
    readonly enable: boolean;
    readonly listenAddress: string;
    readonly port: number;
    readonly batch: { readonly sendBatchSize: number; readonly sendBatchMaxSize: number; readonly timeout: number };
    readonly exporters: Readonly<
      Record<
        string,
        { readonly endpoint: string; readonly bearerTokenSecret: unknown; readonly queueSize: number; readonly retryMaxElapsedTime: number }
      >
    >;
  };
  readonly logs: {
    readonly lokiUrl: string | null;
    readonly bearerTokenSecret: unknown;
    readonly journald: { readonly enable: boolean; readonly units: readonly string[] };
  };
}

/** A Go duration as Alloy reads it: 300 → "5m", 90 → "90s". */
const seconds = (n: number) => (n > 0 && n % 3600 === 0 ? `${n / 3600}h` : n > 0 && n % 60 === 0 ? `${n / 60}m` : `${n}s`);
const tokenFile = (output: string) => `${secretsDir}/${output}`;
const hostAndPort = (address: string, port: number) => (address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`);

/** `nginx` → `nginx.service`; names with a unit suffix stay as they are. */
export const unitFile = (unit: string) => (/\.[a-z]+$/.test(unit) ? unit : `${unit}.service`);
/** A journald unit's component label: `nginx.service` → `unit_nginx_service`. */
export const unitLabel = (unit: string) => `unit_${unitFile(unit).replace(/[^A-Za-z0-9_]/g, "_")}`;

function nodeMetrics(cfg: ConfigInput): AlloyBody {
  if (!cfg.nodeMetrics.enable || Object.keys(cfg.remoteWrite).length === 0) return {};
  return {
    'prometheus.exporter.unix "default"': {},
    'prometheus.scrape "node"': {
      targets: v.ref("prometheus.exporter.unix.default.targets"),
      forward_to: [v.ref("prometheus.remote_write.default.receiver")],
      scrape_interval: seconds(cfg.nodeMetrics.scrapeInterval),
      job_name: "node",
    },
  };
}

function remoteWrite(cfg: ConfigInput): AlloyBody {
  const endpoints = Object.entries(cfg.remoteWrite).map(([name, e]) => ({
    name,
    url: e.url,
    ...(e.bearerTokenSecret === null ? {} : { bearer_token_file: tokenFile(tokenOutput.remoteWrite(name)) }),
  }));
  if (endpoints.length === 0) return {};
  return {
    'prometheus.remote_write "default"': {
      external_labels: v.object({ host: cfg.hostName }),
      endpoint: endpoints.length === 1 ? endpoints[0]! : endpoints,
    },
  };
}

function otlp(cfg: ConfigInput): AlloyBody {
  const o = cfg.otlp;
  const names = Object.keys(o.exporters);
  if (!o.enable || names.length === 0) return {};
  const batchInput = v.ref("otelcol.processor.batch.default.input");
  const inputs = names.map((n) => v.ref(`otelcol.exporter.otlphttp.${n}.input`));
  const out: Record<string, AlloyBody> = {
    'otelcol.receiver.otlp "default"': {
      http: { endpoint: hostAndPort(o.listenAddress, o.port) },
      output: { metrics: [batchInput], logs: [batchInput], traces: [batchInput] },
    },
    'otelcol.processor.batch "default"': {
      send_batch_size: o.batch.sendBatchSize,
      send_batch_max_size: o.batch.sendBatchMaxSize,
      timeout: seconds(o.batch.timeout),
      output: { metrics: inputs, logs: inputs, traces: inputs },
    },
  };
  for (const [name, e] of Object.entries(o.exporters)) {
    const token = e.bearerTokenSecret !== null;
    out[`otelcol.exporter.otlphttp "${name}"`] = {
      client: { endpoint: e.endpoint, ...(token ? { auth: v.ref(`otelcol.auth.bearer.${name}.handler`) } : {}) },
      retry_on_failure: { enabled: true, max_elapsed_time: seconds(e.retryMaxElapsedTime) },
      sending_queue: { enabled: true, queue_size: e.queueSize },
    };
    if (token) {
      out[`local.file "otlp_${name}_token"`] = { filename: tokenFile(tokenOutput.otlp(name)), is_secret: true };
      out[`otelcol.auth.bearer "${name}"`] = { token: v.ref(`local.file.otlp_${name}_token.content`) };
    }
  }
  return out;
}

function logs(cfg: ConfigInput): AlloyBody {
  const l = cfg.logs;
  if (l.lokiUrl === null || !l.journald.enable) return {};
  const receiver = [v.ref("loki.write.default.receiver")];
  const source = (matches?: string): AlloyBody => ({
    forward_to: receiver,
    relabel_rules: v.ref("loki.relabel.journal.rules"),
    labels: v.object({ job: "systemd-journal" }),
    ...(matches === undefined ? {} : { matches }),
  });
  const sources: Record<string, AlloyBody> =
    l.journald.units.length === 0
      ? { 'loki.source.journal "default"': source() }
      : Object.fromEntries(l.journald.units.map((u) => [`loki.source.journal "${unitLabel(u)}"`, source(`_SYSTEMD_UNIT=${unitFile(u)}`)]));
  return {
    // Only its rules are used (relabel_rules of each source); it forwards nothing itself.
    'loki.relabel "journal"': {
      forward_to: [],
      rule: [
        { source_labels: ["__journal__systemd_unit"], target_label: "unit" },
        { target_label: "host", replacement: cfg.hostName },
      ],
    },
    ...sources,
    'loki.write "default"': {
      endpoint: { url: l.lokiUrl, ...(l.bearerTokenSecret === null ? {} : { bearer_token_file: tokenFile(tokenOutput.loki) }) },
    },
  };
}

/** The module's part of config.alloy; services.alloy.settings merges over it. */
export function alloyModel(cfg: ConfigInput): AlloyBody {
  return { ...nodeMetrics(cfg), ...remoteWrite(cfg), ...otlp(cfg), ...logs(cfg) };
}

interface Runs {
  readonly enable: boolean;
  readonly aptKey: string | null;
  readonly release: unknown;
  readonly otlp: { readonly enable: boolean; readonly listenAddress: string; readonly port: number; readonly exporters: object };
}

/** Whether the host has an alloy.service to order after: enabled, and a source to run it from. */
export const alloyRuns = (cfg: Runs) => cfg.enable && (cfg.aptKey !== null || cfg.release !== null);

/** The URL local applications send OTLP/HTTP to, or null when this host's Alloy receives none. */
export function alloyOtlpUrl(cfg: Runs): string | null {
  if (!cfg.enable || !cfg.otlp.enable || Object.keys(cfg.otlp.exporters).length === 0) return null;
  const a = cfg.otlp.listenAddress === "0.0.0.0" ? "127.0.0.1" : cfg.otlp.listenAddress === "::" ? "::1" : cfg.otlp.listenAddress;
  return `http://${a.includes(":") ? `[${a}]` : a}:${cfg.otlp.port}`;
}

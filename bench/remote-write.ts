// A synthetic fleet of agents for the ingest benchmark: each one sends Prometheus remote-write
// requests (a protobuf WriteRequest, snappy block-compressed) with its own bearer token over its own
// kept connection, as vmagent does, either paced (one request per interval) or back to back (a
// buffer being replayed). Nothing but the one target address is ever contacted.
import http from "node:http";
import https from "node:https";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import protobuf from "protobufjs";
import snappy from "snappyjs";

const root = protobuf.Root.fromJSON({
  nested: {
    WriteRequest: { fields: { timeseries: { rule: "repeated", type: "TimeSeries", id: 1 } } },
    TimeSeries: {
      fields: { labels: { rule: "repeated", type: "Label", id: 1 }, samples: { rule: "repeated", type: "Sample", id: 2 } },
    },
    Label: { fields: { name: { type: "string", id: 1 }, value: { type: "string", id: 2 } } },
    Sample: { fields: { value: { type: "double", id: 1 }, timestamp: { type: "int64", id: 2 } } },
  },
});
const writeRequest = root.lookupType("WriteRequest");
const timeSeries = root.lookupType("TimeSeries");

export interface Target {
  readonly address: string;
  readonly port: number;
  /** HTTPS with this root and server name; null: plain HTTP. */
  readonly tls: { readonly ca: string; readonly servername: string } | null;
  /** The request path for one agent (the direct path names the host itself, as nginx does from the token). */
  path(agent: string): string;
}

export interface SimulatedAgent {
  readonly name: string;
  readonly token: string;
}

export interface LoadSpec {
  /** Labels every series of this run carries, so its samples can be counted apart. */
  readonly labels: Readonly<Record<string, string>>;
  readonly seriesPerAgent: number;
  /** "paced": one request per agent every intervalMs; "burst": each agent back to back. */
  readonly mode: "paced" | "burst";
  readonly intervalMs: number;
  readonly durationMs: number;
}

export interface LoadResult {
  /** Requests of the timed run. */
  readonly requests: number;
  /** Samples accepted by the warm-up requests (before the clock starts). */
  readonly warmupSamples: number;
  /** Samples accepted within the timed run. */
  readonly samples: number;
  readonly errors: number;
  /** The first few errors, for the message. */
  readonly errorSamples: readonly string[];
  readonly elapsedMs: number;
  /** Request latencies in ms, sorted (warm-up excluded). */
  readonly latencies: readonly number[];
  /** How many paced requests started over 100 ms after their tick because the previous one was still running. */
  readonly late: number;
  /** CPU this process spent (encoding, compressing, TLS), in seconds. */
  readonly generatorCpuSeconds: number;
  /** This process's event-loop delay, p99 in ms: how much of a measured latency may be the generator's own. */
  readonly generatorLagP99Ms: number;
}

/** About what node_exporter exposes: many series under a few dozen metric names. */
function labelsOf(i: number, labels: Readonly<Record<string, string>>): { name: string; value: string }[] {
  return Object.entries({ __name__: `bench_node_metric_${i % 40}`, instance: "127.0.0.1:9100", job: "node", series: String(i), ...labels })
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => ({ name, value }));
}

/** Milliseconds since 1970 as a varint: 6 bytes from 2^35 ms (1971) to 2^42 ms (2109). */
const timestampBytes = 6;

/**
 * One agent's WriteRequest, encoded once: each series' labels by protobufjs, then one sample whose
 * value and timestamp are rewritten in place before every request, so the generator spends its CPU
 * on the requests and not on encoding the same labels again.
 */
class RequestTemplate {
  readonly buffer: Buffer;
  readonly #valueAt: number[] = [];
  readonly #timestampAt: number[] = [];

  constructor(count: number, labels: Readonly<Record<string, string>>) {
    const parts: Buffer[] = [];
    let offset = 0;
    for (let i = 0; i < count; i++) {
      const labelBytes = Buffer.from(timeSeries.encode({ labels: labelsOf(i, labels) }).finish());
      // Sample: field 1 double (tag 0x09, 8 bytes), field 2 int64 (tag 0x10, varint).
      const sampleLength = 1 + 8 + 1 + timestampBytes;
      const seriesLength = labelBytes.length + 2 + sampleLength;
      const head = Buffer.from([0x0a, ...varint(seriesLength)]);
      const sample = Buffer.alloc(2 + sampleLength);
      sample.set([0x12, sampleLength, 0x09]);
      sample[11] = 0x10;
      parts.push(head, labelBytes, sample);
      const sampleAt = offset + head.length + labelBytes.length;
      this.#valueAt.push(sampleAt + 3);
      this.#timestampAt.push(sampleAt + 12);
      offset = sampleAt + sample.length;
    }
    this.buffer = Buffer.concat(parts);
  }

  get count(): number {
    return this.#valueAt.length;
  }

  /** Give series i the value and every series the timestamp (ms). */
  set(value: (i: number) => number, timestamp: number): void {
    const ts = Buffer.from(varint(timestamp));
    if (ts.length !== timestampBytes) throw new Error(`timestamp ${timestamp} is not ${timestampBytes} varint bytes`);
    for (let i = 0; i < this.count; i++) {
      this.buffer.writeDoubleLE(value(i), this.#valueAt[i]!);
      ts.copy(this.buffer, this.#timestampAt[i]!);
    }
  }
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

/** The template decodes, with protobufjs, to what it claims to hold. */
export function checkEncoding(): void {
  const template = new RequestTemplate(3, { path: "check" });
  template.set((i) => i + 0.5, 1_790_000_000_123);
  const decoded = writeRequest.toObject(writeRequest.decode(template.buffer), { longs: Number }) as {
    timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[];
  };
  const expected = [0, 1, 2].map((i) => ({
    labels: labelsOf(i, { path: "check" }),
    samples: [{ value: i + 0.5, timestamp: 1_790_000_000_123 }],
  }));
  if (JSON.stringify(decoded.timeseries) !== JSON.stringify(expected))
    throw new Error(`the request template decodes to ${JSON.stringify(decoded)}`);
}

function send(target: Target, agent: SimulatedAgent, body: Uint8Array, connection: http.Agent): Promise<number> {
  const headers = {
    "Content-Type": "application/x-protobuf",
    "Content-Encoding": "snappy",
    "X-Prometheus-Remote-Write-Version": "0.1.0",
    "Content-Length": String(body.byteLength),
    Authorization: `Bearer ${agent.token}`,
    ...(target.tls === null ? {} : { Host: target.tls.servername }),
  };
  const options: https.RequestOptions = {
    host: target.address,
    port: target.port,
    method: "POST",
    path: target.path(agent.name),
    headers,
    agent: connection,
    timeout: 10_000,
    ...(target.tls === null ? {} : { ca: target.tls.ca, servername: target.tls.servername }),
  };
  return new Promise((resolve, reject) => {
    const req = (target.tls === null ? http.request : https.request)(options, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () =>
        res.statusCode !== undefined && res.statusCode < 300
          ? resolve(res.statusCode)
          : reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`)),
      );
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("no answer within 10 s")));
    req.end(body);
  });
}

/**
 * Play every agent against the target for the spec's time. A warm-up request of every agent comes
 * first, untimed: it creates the agent's series, as an agent's first write after a deploy does once.
 */
export async function runLoad(
  target: Target,
  agents: readonly SimulatedAgent[],
  spec: LoadSpec,
  /** Called between the warm-up and the timed run (to read the server's CPU counters). */
  afterWarmup: () => Promise<void> = async () => {},
): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let requests = 0;
  let samples = 0;
  let errors = 0;
  let late = 0;
  const players = agents.map((agent, index) => ({
    agent,
    index,
    template: new RequestTemplate(spec.seriesPerAgent, spec.labels),
    connection: new (target.tls === null ? http.Agent : https.Agent)({ keepAlive: true, maxSockets: 1 }),
    lastTimestamp: 0,
  }));
  type Player = (typeof players)[number];

  /** One request of one agent; its latency in ms, or null when it failed. */
  const write = async (p: Player, tick: number): Promise<number | null> => {
    const timestamp = Math.max(Date.now(), p.lastTimestamp + 1);
    p.lastTimestamp = timestamp;
    p.template.set((i) => p.index * 1000 + i + tick * 0.5, timestamp);
    const body = snappy.compress(p.template.buffer);
    const sent = performance.now();
    requests++;
    try {
      await send(target, p.agent, body, p.connection);
      samples += p.template.count;
      return performance.now() - sent;
    } catch (e) {
      errors++;
      if (errorSamples.length < 5) errorSamples.push(`${p.agent.name}: ${(e as Error).message}`);
      return null;
    }
  };

  try {
    await Promise.all(players.map((p) => write(p, 0)));
    const warmupSamples = samples;
    const warmupRequests = requests;
    await afterWarmup();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const stopAt = started + spec.durationMs;
    await Promise.all(
      players.map(async (p) => {
        // Agents' flush timers are not aligned: spread their ticks over the interval.
        const offset = (p.index / players.length) * spec.intervalMs;
        for (let tick = 1; ; tick++) {
          if (spec.mode === "paced") {
            const due = started + offset + (tick - 1) * spec.intervalMs;
            if (due >= stopAt) break;
            const wait = due - performance.now();
            if (wait > 0) await sleep(wait);
            else if (wait < -100) late++;
          } else if (performance.now() >= stopAt) break;
          const ms = await write(p, tick);
          if (ms !== null) latencies.push(ms);
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    lag.disable();
    return {
      requests: requests - warmupRequests,
      warmupSamples,
      samples: samples - warmupSamples,
      errors,
      errorSamples,
      elapsedMs,
      latencies: latencies.sort((a, b) => a - b),
      late,
      generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
      generatorLagP99Ms: lag.percentile(99) / 1e6,
    };
  } finally {
    for (const p of players) p.connection.destroy();
  }
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

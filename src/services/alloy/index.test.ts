import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createTwoFilesPatch } from "diff";
import fc from "fast-check";
import { alloyValues as v, defineFleet, host, readAlloy, secret, unresolvedReferences } from "roost";
import { buildHostFrom } from "roost/testing";
import example from "../../../examples/observability-agent/roost.config.ts";
import { alloy, configFile } from "./index.ts";

const unitPath = "/etc/systemd/system/alloy.service";
const goldenDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../test/golden/alloy");

/** Compares `text` with test/golden/alloy/`name`; UPDATE_GOLDEN=1 rewrites the file instead. */
function assertGolden(name: string, text: string): void {
  const file = path.join(goldenDir, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  assert.equal(text, readFileSync(file, "utf8"));
}

const seedConfig = (example.hosts.thinkpad as unknown as { config: { services: { alloy: Record<string, unknown> } } }).config.services
  .alloy;

function build(alloyConfig: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const fleet = defineFleet({
    hosts: {
      thinkpad: host({ address: "root@10.0.0.1", modules: [alloy], config: { services: { alloy: alloyConfig }, ...extra } as never }),
    },
  });
  return buildHostFrom(fleet, "thinkpad");
}

/** The unified diff (one line of context) from `a` to `b`: what an option change moves in the file. */
function changedLines(a: string, b: string): string {
  return createTwoFilesPatch("config.alloy", "config.alloy", a, b, "", "", { context: 1 }).split("\n").slice(2).join("\n");
}

const release = {
  url: "https://github.com/grafana/alloy/releases/download/v1.5.1/alloy-linux-amd64.zip",
  sha256: "5f7879ae6d6e6edd1dbbc91d80b073984c75b08c5a13d9392d89a032436529b1",
};

describe("services.alloy", () => {
  it("renders seed 003's configuration like the golden file, every reference resolved", () => {
    const text = buildHostFrom(example, "thinkpad").file(configFile);
    assertGolden("observability-agent.alloy", text);
    assert.deepEqual(unresolvedReferences(readAlloy(text)), []);
  });

  it("moves the receiver's line, and only it, when otlp.port changes", () => {
    const base = build(seedConfig).file(configFile);
    const moved = build({ ...seedConfig, otlp: { ...(seedConfig.otlp as object), port: 4319 } });
    assertGolden("otlp-port.diff", changedLines(base, moved.file(configFile)));
    assert.equal(moved.config.networking.ports["alloy-otlp-http"]!.port, 4319);
  });

  it("adds an exporter block and its input to every output of the batch processor for a third destination", () => {
    const base = build(seedConfig).file(configFile);
    const exporters = { ...(seedConfig.otlp as { exporters: object }).exporters, tempo: { endpoint: "https://tempo.example.org" } };
    const text = build({ ...seedConfig, otlp: { exporters } }).file(configFile);
    assertGolden("third-exporter.diff", changedLines(base, text));
    const batch = readAlloy(text).body['otelcol.processor.batch "default"'] as { output: { traces: { $ref: string }[] } };
    assert.deepEqual(
      batch.output.traces.map((r) => r.$ref),
      ["otelcol.exporter.otlphttp.k8s.input", "otelcol.exporter.otlphttp.local.input", "otelcol.exporter.otlphttp.tempo.input"],
    );
  });

  it("writes one journal source per unit, and one for the whole journal when the list is empty", () => {
    const logs = seedConfig.logs as { lokiUrl: string };
    const two = build({ ...seedConfig, logs: { lokiUrl: logs.lokiUrl, journald: { units: ["nginx", "app.service"] } } }).file(configFile);
    const all = build({ ...seedConfig, logs: { lokiUrl: logs.lokiUrl } }).file(configFile);
    assertGolden("journald-units.diff", changedLines(all, two));
    assert.match(two, /^loki\.source\.journal "unit_nginx_service" \{\n(\t.*\n)*\tmatches = "_SYSTEMD_UNIT=nginx\.service"$/m);
    assert.match(all, /^loki\.source\.journal "default" \{$/m);
    assert.doesNotMatch(all, /matches/);
  });

  it("runs from a pinned release with the memory limit, journal access and no tokens in the generation", () => {
    const built = build(
      {
        ...seedConfig,
        release,
        remoteWrite: { mimir: { url: "https://mimir.example.org/api/v1/push", bearerTokenSecret: secret("mimir_token") } },
        otlp: { exporters: { k8s: { endpoint: "https://otel.example.org", bearerTokenSecret: secret("otel_token") } } },
      },
      { networking: { hostName: "thinkpad" } },
    );
    const unit = built.file(unitPath);
    assert.match(
      unit,
      /^ExecStart=\/opt\/alloy\/alloy-linux-amd64 run --server\.http\.listen-addr=127\.0\.0\.1:12345 --storage\.path=\/var\/lib\/alloy\/data --disable-reporting \/etc\/alloy\/config\.alloy$/m,
    );
    assert.match(unit, /^ExecStartPre="\+\/usr\/bin\/unzip" -o -q \/opt\/roost-downloads\/alloy-linux-amd64\.zip -d \/opt\/alloy$/m);
    assert.match(unit, /^MemoryMax=536870912$/m);
    assert.match(unit, /^Environment="?GOMEMLIMIT=460MiB"?$/m);
    assert.match(unit, /^SupplementaryGroups=systemd-journal$/m);
    const text = built.file(configFile);
    assert.match(text, /bearer_token_file = "\/run\/roost\/secrets\/alloy-remote-write-mimir"/);
    assert.match(text, /filename = "\/run\/roost\/secrets\/alloy-otlp-k8s"/);
    assert.match(text, /auth = otelcol\.auth\.bearer\.k8s\.handler/);
    assert.deepEqual(Object.keys(built.manifest.secrets).sort(), ["alloy-otlp-k8s", "alloy-remote-write-mimir"]);
    assert.deepEqual(unresolvedReferences(readAlloy(text)), []);
  });

  it("installs from Grafana's apt repository pinned to the given key", () => {
    const key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nabc\n-----END PGP PUBLIC KEY BLOCK-----";
    const built = build({ ...seedConfig, aptKey: key });
    assert.ok(built.manifest.packages.includes("alloy"));
    assert.match(built.file("/etc/apt/sources.list.d/roost-grafana.sources"), /^URIs: https:\/\/apt\.grafana\.com\nSuites: stable$/m);
    assert.match(built.file(unitPath), /^ExecStart=\/usr\/bin\/alloy run /m);
    assert.doesNotMatch(built.file(unitPath), /ExecStartPre/);
  });

  it("has no unit without a source, and refuses both sources at once", () => {
    assert.ok(!build(seedConfig).paths.includes(unitPath));
    const key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nabc\n-----END PGP PUBLIC KEY BLOCK-----";
    assert.throws(() => build({ ...seedConfig, aptKey: key, release }), /services\.alloy: set aptKey or release, not both/);
  });

  it("refuses a reference to a component the configuration lacks, naming the option and the user's line", () => {
    assert.throws(
      () =>
        build({
          ...seedConfig,
          settings: {
            'prometheus.scrape "app"': {
              targets: [v.object({ __address__: "127.0.0.1:8000" })],
              forward_to: [v.ref("prometheus.remote_write.mimir.receiver")],
            },
          },
        }),
      (e: Error & { format?: () => string }) => {
        const text = e.format ? e.format() : e.message;
        assert.match(text, /prometheus\.remote_write\.mimir\.receiver \(line \d+ of \/etc\/alloy\/config\.alloy\) names no component/);
        assert.match(text, /services\.alloy\.settings\."prometheus\.scrape \\"app\\""\.forward_to/);
        assert.match(text, /src\/services\/alloy\/index\.test\.ts:\d+/);
        return true;
      },
    );
  });

  it("refuses two journal units that would be one component, naming the option", () => {
    assert.throws(
      () =>
        build({
          ...seedConfig,
          logs: { lokiUrl: "https://loki.example.org/loki/api/v1/push", journald: { units: ["a-b", "a_b.service"] } },
        }),
      /services\.alloy\.logs\.journald\.units: a_b\.service is listed twice, or under a name that differs only in - \. @/,
    );
  });

  it("refuses a bad value in settings with the option path and the user's line", () => {
    assert.throws(
      () => build({ ...seedConfig, settings: { 'prometheus.scrape "app"': { job_name: "a\ud800" } } }),
      (e: Error & { format?: () => string }) => {
        const text = e.format ? e.format() : e.message;
        assert.match(text, /services\.alloy\.settings: expected an Alloy configuration body.*lone UTF-16 surrogate/s);
        assert.match(text, /src\/services\/alloy\/index\.test\.ts:\d+/);
        return true;
      },
    );
  });

  it("resolves every reference for any set of exporters, remote_write endpoints and journal units", () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/);
    const unit = fc.stringMatching(/^[a-z][a-z0-9@.-]{0,8}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { maxLength: 3 }),
        fc.uniqueArray(name, { maxLength: 2 }),
        fc.uniqueArray(unit, { maxLength: 3, selector: (u) => u.replace(/[^a-z0-9]/g, "_") }),
        fc.boolean(),
        (exporters, writes, units, nodeMetrics) => {
          const text = build({
            enable: true,
            nodeMetrics: { enable: nodeMetrics },
            remoteWrite: Object.fromEntries(writes.map((w) => [w, { url: `https://${w.replace(/_/g, "x")}.example.org/push` }])),
            otlp: { exporters: Object.fromEntries(exporters.map((e) => [e, { endpoint: "http://127.0.0.1:4320" }])) },
            logs: { lokiUrl: "https://loki.example.org/loki/api/v1/push", journald: { units } },
          }).file(configFile);
          const reading = readAlloy(text);
          assert.deepEqual(unresolvedReferences(reading), []);
          assert.equal(reading.components.filter((c) => c.id.startsWith("otelcol.exporter.otlphttp.")).length, exporters.length);
        },
      ),
      { seed: 0x5eed, numRuns: 40 },
    );
  });
});

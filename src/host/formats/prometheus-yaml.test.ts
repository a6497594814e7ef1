import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import YAML from "yaml";
import { mergeOf } from "../../core/test-support.ts";
import { prometheusYaml } from "./prometheus-yaml.ts";
import { assertGolden, friendlyKey, friendlyString, itRoundTrips, nastyKey, nastyScalar, number, treeOf } from "./test-support.ts";

const format = prometheusYaml();

function readBoth(text: string): unknown {
  const v11 = YAML.parse(text, { version: "1.1", merge: true });
  assert.deepEqual(YAML.parse(text, { version: "1.2" }), v11);
  return v11;
}

describe("formats.prometheusYaml", () => {
  itRoundTrips(format, {
    good: treeOf(fc.oneof(fc.constant(null), fc.boolean(), number, friendlyString), friendlyKey),
    nasty: treeOf(nastyScalar, nastyKey),
    read: readBoth,
    expected: (value) => value,
  });

  it("writes a Prometheus configuration like the golden file", () => {
    const settings = mergeOf(format.type, {
      global: { scrape_interval: "15s", evaluation_interval: "1m", external_labels: { site: "home", replica: "on" } },
      rule_files: ["/etc/prometheus/rules/*.yml"],
      alerting: { alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:9093"] }] }] },
      scrape_configs: [
        { job_name: "prometheus", static_configs: [{ targets: ["localhost:9090"] }] },
        {
          job_name: "node",
          scrape_interval: "30s",
          sample_limit: 10000,
          static_configs: [{ targets: ["web:9100", "vault:9100"], labels: { env: "yes", tier: "1e3" } }],
          relabel_configs: [{ source_labels: ["__address__"], regex: "([^:]+):\\d+", target_label: "instance", replacement: "$1" }],
        },
      ],
    });
    assertGolden("prometheus.yml", format.generate(settings));
  });

  it("quotes what go-yaml reads as something else, and writes numbers every reader takes as numbers", () => {
    const text = format.generate({ s: ["on", "Yes", "1e3", "0755", "10s", ".inf", "-", "<<", "a b", "null"], n: [1e21, 1e-7, 0.5, -3] });
    assert.equal(
      text,
      's:\n  - "on"\n  - "Yes"\n  - "1e3"\n  - "0755"\n  - "10s"\n  - ".inf"\n  - "-"\n  - "<<"\n  - "a b"\n  - "null"\n"n":\n  - 1.0e+21\n  - 1.0e-7\n  - 0.5\n  - -3\n',
    );
  });
});

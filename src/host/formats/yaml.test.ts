import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import YAML from "yaml";
import { mergeOf } from "../../core/test-support.ts";
import { yaml } from "./yaml.ts";
import { assertGolden, friendlyKey, friendlyString, itRoundTrips, nastyKey, nastyScalar, number, treeOf } from "./test-support.ts";

const format = yaml();

/** Both YAML versions must read the same value: PyYAML and go-yaml v2 read 1.1, newer readers 1.2. */
function readBoth(text: string): unknown {
  const v11 = YAML.parse(text, { version: "1.1" });
  assert.deepEqual(YAML.parse(text, { version: "1.2" }), v11);
  return v11;
}

describe("formats.yaml", () => {
  itRoundTrips(format, {
    good: treeOf(fc.oneof(fc.constant(null), fc.boolean(), number, friendlyString), friendlyKey),
    nasty: treeOf(nastyScalar, nastyKey),
    read: readBoth,
    expected: (value) => value,
  });

  it("writes Grafana's datasource provisioning like the golden file", () => {
    const settings = mergeOf(format.type, {
      apiVersion: 1,
      datasources: [
        {
          name: "Prometheus",
          type: "prometheus",
          access: "proxy",
          url: "http://127.0.0.1:9090",
          isDefault: true,
          jsonData: { timeInterval: "15s", httpMethod: "POST" },
        },
        {
          name: "Loki",
          type: "loki",
          url: "http://127.0.0.1:3100",
          jsonData: { maxLines: 1000, derivedFields: [{ name: "trace", matcherRegex: "traceID=(\\w+)", url: "$${__value.raw}" }] },
        },
      ],
      deleteDatasources: [{ name: "Old", orgId: 1 }],
      comment: "on",
    });
    assertGolden("grafana-datasources.yaml", format.generate(settings));
  });

  it("quotes strings a YAML 1.1 reader would take for booleans, numbers or merge keys", () => {
    const text = format.generate({ a: ["on", "yes", "n", "0777", "1:20", "2001-12-14", "~"], "<<": "x" });
    assert.deepEqual(YAML.parse(text, { version: "1.1", merge: true }), {
      a: ["on", "yes", "n", "0777", "1:20", "2001-12-14", "~"],
      "<<": "x",
    });
  });
});

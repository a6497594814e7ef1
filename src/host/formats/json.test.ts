import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { mergeOf } from "../../core/test-support.ts";
import { json } from "./json.ts";
import { assertGolden, friendlyKey, friendlyString, itRoundTrips, nastyKey, nastyScalar, number, refusal, treeOf } from "./test-support.ts";

const format = json();

describe("formats.json", () => {
  itRoundTrips(format, {
    good: treeOf(fc.oneof(fc.constant(null), fc.boolean(), number, friendlyString), friendlyKey),
    nasty: treeOf(nastyScalar, nastyKey),
    read: (text) => JSON.parse(text),
    expected: (value) => value,
  });

  it("writes a Docker daemon.json like the golden file", () => {
    const settings = mergeOf(format.type, {
      "log-driver": "journald",
      "log-opts": { tag: "{{.Name}}" },
      "live-restore": true,
      "default-address-pools": [{ base: "172.30.0.0/16", size: 24 }],
      "registry-mirrors": ["https://mirror.example.org"],
      "max-concurrent-downloads": 3,
      "userland-proxy": false,
      dns: [],
      "data-root": null,
    });
    assertGolden("daemon.json", format.generate(settings));
  });

  it("refuses a value that is not JSON, naming where it is", () => {
    assert.equal(refusal(() => format.generate({ a: [1, { b: NaN }] })).headline, "json cannot hold a[1].b: NaN is not a finite number");
    assert.match(refusal(() => format.generate({ when: new Date(0) } as never)).headline, /json cannot hold when: it is a Date/);
  });
});

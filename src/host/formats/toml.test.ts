import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import * as TOML from "smol-toml";
import { mergeOf } from "../../core/test-support.ts";
import { toml } from "./toml.ts";
import {
  assertGolden,
  friendlyKey,
  friendlyString,
  itRoundTrips,
  nastyKey,
  nastyScalar,
  number,
  refusal,
  throughType,
  treeOf,
} from "./test-support.ts";

const format = toml();

describe("formats.toml", () => {
  itRoundTrips(format, {
    good: fc.dictionary(friendlyKey, treeOf(fc.oneof(fc.boolean(), number, friendlyString), friendlyKey), { maxKeys: 4 }),
    nasty: treeOf(nastyScalar, nastyKey),
    read: (text) => TOML.parse(text),
    expected: (value) => value,
  });

  it("writes a Rust service's configuration like the golden file", () => {
    const settings = mergeOf(format.type, {
      server: { listen: "127.0.0.1:8080", workers: 4, request_timeout: 30.5, tls: { enabled: false } },
      database: { url: "postgres://app@localhost/app", pool: { max_connections: 16 } },
      log: { level: "info", filters: ["hyper=warn", "sqlx=error"] },
      upstreams: [
        { name: "primary", url: "http://10.0.0.10:9000", weight: 3 },
        { name: "backup", url: "http://10.0.0.11:9000", weight: 1 },
      ],
      name: 'say "hi"\tthen\nleave',
    });
    assertGolden("service.toml", format.generate(settings));
  });

  it("refuses null with the reason and the place", () => {
    const typed = throughType(format.type, { server: { port: null } });
    assert.ok("error" in typed);
    assert.match(typed.error.format(), /^error: x\.server\.port: expected a TOML value .*, but it is null, which TOML has no way to write/);
    assert.equal(
      refusal(() => format.generate({ server: { port: null } } as never)).headline,
      "toml cannot hold server.port: it is null, which TOML has no way to write (leave the key out)",
    );
  });
});

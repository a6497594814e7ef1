import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { mergeOf } from "../../core/test-support.ts";
import { alloy, alloyValues as v, type AlloyBody } from "./alloy.ts";
import { parseAlloy, readAlloy, unresolvedReferences } from "./alloy-parse.ts";
import {
  assertGolden,
  friendlyString,
  itRoundTrips,
  nastyKey,
  nastyScalar,
  nastyString,
  number,
  objectOf,
  plain,
  refusal,
  runs,
  throughFile,
  throughType,
} from "./test-support.ts";

const format = alloy();

const ident = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/).filter((s) => !["true", "false", "null"].includes(s));
const dotted = fc.array(ident, { minLength: 1, maxLength: 4 }).map((p) => p.join("."));
const anyString = fc.oneof(
  friendlyString,
  fc.string({ unit: "binary", maxLength: 12 }),
  nastyString.filter((s) => !/\p{Cs}/u.test(s)),
);

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 3, withCrossShrink: true },
    anyString,
    number,
    fc.boolean(),
    fc.constant(null),
    dotted.map(v.ref),
    fc.tuple(dotted, fc.array(tie("value"), { maxLength: 2 })).map(([f, a]) => ({ $call: [f, ...a] })),
    fc.array(tie("value"), { maxLength: 3 }),
    objectOf(
      anyString.filter((k) => k !== "__proto__"),
      tie("value"),
      3,
    ).map((o) => v.object(o as never)),
  ),
})).value;

const blockKey = fc.tuple(dotted, fc.option(ident, { nil: undefined })).map(([n, l]) => (l === undefined ? n : `${n} "${l}"`));

/** Canonical bodies: what the reader returns (a repeated block is a list of at least two). */
function bodyOf(depth: number): fc.Arbitrary<unknown> {
  const attrs = objectOf(ident, value, 3);
  if (depth === 0) return attrs;
  const inner = bodyOf(depth - 1);
  return fc
    .tuple(attrs, objectOf(blockKey, fc.oneof(inner, fc.array(inner, { minLength: 2, maxLength: 2 })), 2))
    .filter(([a, b]) => Object.keys(a).every((k) => !Object.hasOwn(b, k)))
    .map(([a, b]) => ({ ...a, ...b }));
}
const body = bodyOf(2);

describe("formats.alloy", () => {
  itRoundTrips(format, {
    good: body,
    nasty: fc.oneof(
      objectOf(nastyKey, nastyScalar, 3),
      objectOf(ident, fc.oneof(nastyScalar, fc.array(nastyScalar, { maxLength: 2 }), objectOf(nastyKey, nastyScalar, 2)), 3),
      objectOf(fc.constantFrom("a", "$ref", "$object"), fc.oneof(nastyScalar, objectOf(nastyKey, nastyScalar, 2)), 2).map((o) => ({
        x: o,
      })),
      nastyScalar,
    ),
    read: parseAlloy,
    expected: (b) => b,
  });

  it("writes any string so that it reads back exactly: quotes, backslashes, line breaks, control characters, unicode", () => {
    fc.assert(
      fc.property(anyString, (s) => {
        assert.equal(parseAlloy(throughFile(format.generate({ a: s }))).a, s);
      }),
      runs,
    );
  });

  it("refuses a lone surrogate, naming the attribute", () => {
    assert.match(
      refusal(() => format.generate({ b: { a: "x\ud800" } })).headline,
      /^alloy cannot hold b\.a: it contains a lone UTF-16 surrogate/,
    );
    const typed = throughType(format.type, { b: { a: ["x\ud800"] } });
    assert.ok("error" in typed);
    assert.match(
      typed.error.format(),
      /^error: x: expected an Alloy configuration body.*but at b\.a\[0\], it contains a lone UTF-16 surrogate/s,
    );
  });

  it("refuses a plain object as a value, a dotted attribute name and a label that is no identifier", () => {
    assert.match(refusal(() => format.generate({ a: [{ b: 1 }, 2] } as never)).headline, /a list mixes blocks with values/);
    assert.match(refusal(() => format.generate({ "a.b": 1 })).headline, /^alloy cannot hold "a\.b": an attribute's name is one identifier/);
    assert.match(refusal(() => format.generate({ 'a "b c"': {} })).headline, /a block is named by identifiers joined by dots/);
    assert.match(
      refusal(() => format.generate({ a: { $ref: "x..y" } })).headline,
      /^alloy cannot hold a\."\$ref": "x\.\.y" is not a reference/,
    );
    assert.match(
      refusal(() => format.generate({ a: { $object: { b: { c: 1 } } } })).headline,
      /^alloy cannot hold a\."\$object"\.b: an object here is a reference/,
    );
  });

  it("writes references, calls, objects and repeated blocks as Alloy reads them", () => {
    assert.equal(
      format.generate({
        'prometheus.remote_write "default"': {
          external_labels: v.object({ host: v.ref("constants.hostname"), "a-b": 1 }),
          endpoint: [{ url: "https://a/api/v1/write" }, { url: v.call("sys.env", "URL") }],
        },
        'prometheus.scrape "node"': { forward_to: [v.ref("prometheus.remote_write.default.receiver")], targets: [] },
      }),
      `prometheus.remote_write "default" {
\texternal_labels = {
\t\thost = constants.hostname,
\t\t"a-b" = 1,
\t}

\tendpoint {
\t\turl = "https://a/api/v1/write"
\t}

\tendpoint {
\t\turl = sys.env("URL")
\t}
}

prometheus.scrape "node" {
\tforward_to = [prometheus.remote_write.default.receiver]
\ttargets = []
}
`,
    );
  });

  it("reads comments, raw strings, negative numbers and Go escapes", () => {
    assert.deepEqual(plain(parseAlloy('// c\na = `x\\y` /* z */\nb = -1.5e3\nc = "\\x41\\101\\u00e9\\U0001F600\\a"\nd { }\n')), {
      a: "x\\y",
      b: -1500,
      c: "AAé😀\x07",
      d: {},
    });
    assert.throws(() => parseAlloy('a = "x\\q"'), /line 1: unknown escape \\q/);
    assert.throws(() => parseAlloy("a = 1\nb {\n"), /line 3: the file ends inside a block/);
  });

  it("finds references to components the text does not declare, with their lines", () => {
    const reading = readAlloy(
      'prometheus.exporter.unix "default" { }\nprometheus.scrape "node" {\n\ttargets = prometheus.exporter.unix.default.targets\n\tforward_to = [prometheus.remote_write.gone.receiver]\n\tjob_name = constants.hostname\n}\n',
    );
    assert.deepEqual(unresolvedReferences(reading), [{ ref: "prometheus.remote_write.gone.receiver", line: 4 }]);
  });

  it("merges definitions as an attribute set: blocks key by key, lists concatenated", () => {
    const merged = mergeOf(
      format.type,
      { 'prometheus.scrape "node"': { forward_to: [v.ref("a.b.c")] } },
      { 'prometheus.scrape "node"': { forward_to: [v.ref("d.e.f")], scrape_interval: "15s" } },
    );
    assert.deepEqual(plain(merged), {
      'prometheus.scrape "node"': { forward_to: [{ $ref: "a.b.c" }, { $ref: "d.e.f" }], scrape_interval: "15s" },
    });
  });

  it("writes a small pipeline like the golden file", () => {
    const config: AlloyBody = {
      logging: { level: "warn" },
      'prometheus.exporter.unix "default"': {},
      'prometheus.scrape "node"': {
        targets: v.ref("prometheus.exporter.unix.default.targets"),
        forward_to: [v.ref("prometheus.remote_write.default.receiver")],
        scrape_interval: "15s",
      },
      'prometheus.remote_write "default"': {
        endpoint: { url: "https://metrics.example.org/api/v1/write", bearer_token_file: "/run/token" },
      },
    };
    assertGolden("config.alloy", format.generate(config));
  });
});

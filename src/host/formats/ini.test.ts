import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { mergeOf } from "../../core/test-support.ts";
import { ini, type IniSettings } from "./ini.ts";
import { scalarText } from "./settings.ts";
import {
  assertGolden,
  itRoundTrips,
  nastyKey,
  nastyScalar,
  number,
  objectOf,
  readIni,
  refusal,
  setOwn,
  throughType,
} from "./test-support.ts";

/** What a reader sees: every value as text, a list as its lines, an empty list as no line. */
function asRead(settings: IniSettings): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const [name, entries] of Object.entries(settings)) {
    const section: Record<string, string[]> = {};
    for (const [key, v] of Object.entries(entries)) {
      const texts = (Array.isArray(v) ? v : [v]).map(scalarText);
      if (texts.length > 0) setOwn(section, key, texts);
    }
    setOwn(out, name, section);
  }
  return out;
}

const word = fc.stringMatching(/^[A-Za-z0-9_./-]([A-Za-z0-9_./ %$"'\\#;{}-]*[A-Za-z0-9_./%$"'\\#;{}-])?$/, { maxLength: 12 });
const name = word.filter((w) => w !== "__proto__" && !/^[#;]/.test(w));
const atom = fc.oneof(word, fc.constant(""), number, fc.boolean());
const good = objectOf(name, objectOf(name, fc.oneof(atom, fc.array(atom, { maxLength: 3 }))));
const nastyAtom = fc.oneof(nastyScalar, fc.array(nastyScalar, { maxLength: 2 }));

describe("formats.ini", () => {
  describe("plain", () => {
    itRoundTrips(ini(), {
      good,
      nasty: fc.oneof(objectOf(nastyKey, objectOf(nastyKey, nastyAtom)), nastyScalar, objectOf(name, nastyAtom)),
      read: (text) => readIni(text),
      expected: asRead,
    });
  });

  describe("with % escaped for configparser", () => {
    itRoundTrips(ini({ escapePercent: true }), {
      good,
      nasty: objectOf(nastyKey, objectOf(nastyKey, nastyAtom)),
      read: (text) => readIni(text, true),
      expected: asRead,
    });
  });

  it("writes a Python app's configuration like the golden file", () => {
    const format = ini({ escapePercent: true });
    const settings = mergeOf(format.type, {
      pretix: {
        instance_name: "Festival tickets",
        url: "https://tickets.example.org",
        currency: "EUR",
        datadir: "/var/lib/pretix/data",
        registration: false,
      },
      database: { backend: "postgresql", name: "pretix", user: "pretix", host: "/run/postgresql", password: "50%off;#not-a-comment" },
      mail: { from: "tickets@example.org", host: "127.0.0.1", port: 25 },
      redis: { location: "unix:///run/redis-pretix/redis.sock?db=0", sessions: true },
      celery: {
        backend: "redis+socket:///run/redis-pretix/redis.sock?virtual_host=1",
        broker: "redis+socket:///run/redis-pretix/redis.sock?virtual_host=2",
      },
    });
    assertGolden("app.ini", format.generate(settings));
  });

  it("refuses what ini cannot hold, saying why and where", () => {
    const format = ini();
    assert.equal(
      refusal(() => format.generate({ main: { password: "a\nb" } })).headline,
      "ini cannot hold main.password: it contains a line break, which an ini value cannot hold",
    );
    assert.equal(
      refusal(() => format.generate({ main: { "a=b": 1 } })).headline,
      'ini cannot hold main."a=b": the name is not an ini key (no = : [ ], line breaks or control characters, not starting with # or ;): it contains = or :, which end a key',
    );
    assert.match(
      refusal(() => format.generate({ "sec]tion": {} })).headline,
      /ini cannot hold "sec]tion": the name is not a section name .*: it contains \[ or \]/,
    );
    assert.match(
      refusal(() => format.generate({ main: { deep: { no: 1 } } } as never)).headline,
      /ini cannot hold main.deep: it is an object/,
    );
    assert.match(refusal(() => format.generate({ main: { x: " padded" } })).headline, /starts or ends with whitespace/);
  });

  it("refuses a nested object in a module's definition, pointing at its line", () => {
    const typed = throughType(ini().type, { main: { deep: { no: 1 } } });
    assert.ok("error" in typed);
    assert.match(
      typed.error.format(),
      /^error: x\.main\.deep: expected an ini value .*, but it is an object\n {2}\{ no: 1 \} +defined in src\/host\/formats\/test-support\.ts:\d+/,
    );
  });
});

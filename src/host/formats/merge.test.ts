import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineModule } from "../../core/module.ts";
import { option } from "../../core/option.ts";
import { mkDefault, mkForce } from "../../core/properties.ts";
import { errorOf, evaluate } from "../../core/test-support.ts";
import { formats } from "./index.ts";

/** Each format's type, two modules that each set part of `settings`, and two that disagree on a scalar. */
const cases = [
  {
    format: formats.ini(),
    parts: [{ server: { port: 8000, hosts: ["a"] } }, { server: { hosts: ["b"], name: "app" }, log: { level: "info" } }],
    merged: { log: { level: "info" }, server: { hosts: ["a", "b"], name: "app", port: 8000 } },
    clash: [{ server: { port: 8000 } }, { server: { port: 9000 } }],
    at: "settings.server.port",
  },
  {
    format: formats.json(),
    parts: [{ a: { b: [1], c: null } }, { a: { b: [2], d: true } }],
    merged: { a: { b: [1, 2], c: null, d: true } },
    clash: [{ a: { c: null } }, { a: { c: "x" } }],
    at: "settings.a.c",
  },
  {
    format: formats.yaml(),
    parts: [{ scrape: { targets: ["a:1"] } }, { scrape: { targets: ["b:1"], interval: "15s" } }],
    merged: { scrape: { interval: "15s", targets: ["a:1", "b:1"] } },
    clash: [{ scrape: { interval: "15s" } }, { scrape: { interval: "30s" } }],
    at: "settings.scrape.interval",
  },
  {
    format: formats.prometheusYaml(),
    parts: [{ global: { scrape_interval: "15s" } }, { scrape_configs: [{ job_name: "node" }] }],
    merged: { global: { scrape_interval: "15s" }, scrape_configs: [{ job_name: "node" }] },
    clash: [{ global: { scrape_interval: "15s" } }, { global: { scrape_interval: { no: 1 } } }],
    at: "settings.global.scrape_interval",
  },
  {
    format: formats.toml(),
    parts: [{ server: { workers: 4 } }, { server: { tls: { enabled: false } }, log: { filters: ["a"] } }],
    merged: { log: { filters: ["a"] }, server: { tls: { enabled: false }, workers: 4 } },
    clash: [{ server: { workers: 4 } }, { server: { workers: 8 } }],
    at: "settings.server.workers",
  },
  {
    format: formats.keyValue(),
    parts: [{ PORT: 8000 }, { DEBUG: false }],
    merged: { DEBUG: false, PORT: 8000 },
    clash: [{ PORT: 8000 }, { PORT: "8000" }],
    at: "settings.PORT",
  },
  {
    format: formats.nginx(),
    parts: [{ http: { server: [{ listen: 80 }], gzip: true } }, { http: { server: [{ listen: 443 }] }, events: {} }],
    merged: { events: {}, http: { gzip: true, server: [{ listen: 80 }, { listen: 443 }] } },
    clash: [{ http: { gzip: true } }, { http: { gzip: false } }],
    at: "settings.http.gzip",
  },
] as const;

describe("settings of every format merge like attribute sets", () => {
  for (const { format, parts, merged, clash, at } of cases) {
    const declaration = defineModule({ options: { settings: option({ type: format.type, default: {}, description: "Settings." }) } });

    it(`${format.name}: two modules' parts merge into one value, and it renders`, () => {
      const config = evaluate(
        declaration,
        defineModule({ config: { settings: parts[0] } }),
        defineModule({ config: { settings: parts[1] } }),
      ).config as any;
      assert.deepEqual(config.settings, merged);
      assert.equal(format.generate(config.settings), format.generate(merged as never));
    });

    it(`${format.name}: different scalars at one key are a conflict naming both definitions`, () => {
      const message = errorOf(
        () =>
          (
            evaluate(declaration, defineModule({ config: { settings: clash[0] } }), defineModule({ config: { settings: clash[1] } }))
              .config as any
          ).settings,
      );
      const [headline, ...details] = message.split("\n");
      assert.match(headline!, new RegExp(`^error: conflicting values for ${at.replaceAll(".", "\\.")} \\(`));
      const sites = details.flatMap((line) => /defined in (src\/host\/formats\/merge\.test\.ts:\d+:\d+)/.exec(line)?.[1] ?? []);
      assert.equal(new Set(sites).size, 2, message);
      assert.match(message, /hint: give one of them mkForce/);
    });
  }

  it("priorities work inside settings: mkForce beats a plain value, which beats mkDefault", () => {
    const format = formats.ini();
    const declaration = defineModule({ options: { settings: option({ type: format.type, default: {}, description: "Settings." }) } });
    const config = evaluate(
      declaration,
      defineModule({ config: { settings: { server: { port: mkForce(1), host: "a" } } } }),
      defineModule({ config: { settings: { server: { port: 2, host: mkDefault("b") } } } }),
    ).config as any;
    assert.deepEqual(config.settings, { server: { host: "a", port: 1 } });
  });
});

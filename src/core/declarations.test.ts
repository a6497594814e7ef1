import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { optionDocs } from "./docs.ts";
import { Evaluation } from "./evaluate.ts";
import { defineModule } from "./module.ts";
import { enableOption, option, packageOption, type ConfigOf, type DefinitionsOf } from "./option.ts";
import { mkDefault } from "./properties.ts";
import { errorOf, evaluate } from "./test-support.ts";
import * as t from "./types/index.ts";

const webOptions = {
  web: {
    virtualHosts: option({
      type: t.attrsOf(t.submodule({ options: { root: option({ type: t.path, default: "/srv", description: "Where the files are." }) } })),
      default: {},
      description: "Virtual hosts of the web server.",
    }),
  },
};
const acmeOptions = {
  web: {
    virtualHosts: option({
      type: t.attrsOf(
        t.submodule({
          options: { enableACME: option({ type: t.bool, default: false, description: "Get a certificate from Let's Encrypt." }) },
          config: ({ name }) => ({ enableACME: mkDefault(name.endsWith(".org")) }),
        }),
      ),
      description: "Virtual hosts, with certificates.",
    }),
  },
};
const web = defineModule({ options: webOptions });
const acme = defineModule({ options: acmeOptions });

describe("an option declared by two modules", () => {
  it("gets the options of both submodules, with their defaults and config", () => {
    const ev = evaluate(
      web,
      acme,
      defineModule({ config: { web: { virtualHosts: { "a.org": { root: "/srv/a" }, b: { enableACME: true }, c: {} } } } }),
    );
    assert.deepEqual(ev.config.web.virtualHosts, {
      "a.org": { enableACME: true, root: "/srv/a" },
      b: { enableACME: true, root: "/srv" },
      c: { enableACME: false, root: "/srv" },
    });
  });
  it("checks definitions of the added option against its type, at the nested path", () => {
    const ev = evaluate(web, acme, defineModule({ config: { web: { virtualHosts: { x: { enableACME: "yes" } } } } }));
    assert.match(
      errorOf(() => ev.config.web.virtualHosts),
      /web\.virtualHosts\.x\.enableACME: expected boolean/,
    );
  });
  it("still refuses options that neither declaration has, and suggests the close ones", () => {
    const ev = evaluate(web, acme, defineModule({ config: { web: { virtualHosts: { x: { enableAcme: true } } } } }));
    assert.match(
      errorOf(() => ev.config.web.virtualHosts),
      /the option web\.virtualHosts\.x\.enableAcme does not exist[\s\S]*did you mean web\.virtualHosts\.x\.enableACME\?/,
    );
  });
  it("keeps the first declaration's description and default, and lists both sites in the docs", () => {
    const docs = optionDocs(evaluate(web, acme).declarations);
    const vh = docs.find((d) => d.path === "web.virtualHosts")!;
    assert.equal(vh.description, "Virtual hosts of the web server.");
    assert.equal(vh.default, "{}");
    assert.equal(vh.declaredIn.split(", ").length, 2);
    assert.deepEqual(
      docs.filter((d) => d.path.startsWith("web.virtualHosts.<name>.")).map((d) => d.path),
      ["web.virtualHosts.<name>.enableACME", "web.virtualHosts.<name>.root"],
    );
  });
  it("takes the default from the second declaration when only it has one", () => {
    assert.deepEqual(evaluate(acme, web).config.web.virtualHosts, {});
  });
  it("is an error when both declarations give a default", () => {
    const again = defineModule({
      options: { web: { virtualHosts: option({ type: webOptions.web.virtualHosts.type, default: {}, description: "Again." }) } },
    });
    assert.match(
      errorOf(() => evaluate(web, again)),
      /web\.virtualHosts is declared twice, and both declarations give it a default\n {2}declared in .*declarations\.test\.ts:\d+:\d+\n {2}declared in .*declarations\.test\.ts:\d+:\d+/,
    );
  });
  it("is an error naming both sites when the types do not merge", () => {
    const other = defineModule({ options: { web: { virtualHosts: option({ type: t.listOf(t.str), description: "Names." }) } } });
    const message = errorOf(() => evaluate(web, other));
    assert.match(
      message,
      /^error: the option web\.virtualHosts is declared twice with types that do not merge \(attribute set of submodule; list of string\)/,
    );
    assert.equal([...message.matchAll(/declared in .*declarations\.test\.ts:\d+:\d+/g)].length, 2);
    assert.match(message, /hint: declare it once/);
  });
  it("reports two submodule declarations of one nested option at its full path", () => {
    const clash = defineModule({
      options: {
        web: {
          virtualHosts: option({
            type: t.attrsOf(t.submodule({ options: { root: option({ type: t.int, description: "A number." }) } })),
            description: "Clash.",
          }),
        },
      },
    });
    assert.match(
      errorOf(() => evaluate(web, clash)),
      /the option web\.virtualHosts\.<name>\.root is declared twice with types that do not merge \(absolute path; integer\)/,
    );
  });
  it("merges a plain submodule option and nullOr/listOf elements", () => {
    const a = defineModule({
      options: {
        s: option({
          type: t.submodule({ options: { a: option({ type: t.int, default: 1, description: "A." }) } }),
          default: {},
          description: "S.",
        }),
        n: option({
          type: t.nullOr(t.submodule({ options: { a: option({ type: t.int, default: 1, description: "A." }) } })),
          default: null,
          description: "N.",
        }),
        l: option({
          type: t.listOf(t.submodule({ options: { a: option({ type: t.int, default: 1, description: "A." }) } })),
          default: [],
          description: "L.",
        }),
      },
    });
    const sub = t.submodule({ options: { b: option({ type: t.str, default: "x", description: "B." }) } });
    const b = defineModule({
      options: {
        s: option({ type: sub, description: "S." }),
        n: option({ type: t.nullOr(sub), description: "N." }),
        l: option({ type: t.listOf(sub), description: "L." }),
      },
    });
    const ev = evaluate(a, b, defineModule({ config: { n: { b: "y" }, l: [{ a: 2 }, { b: "z" }] } }));
    assert.deepEqual(ev.config.s, { a: 1, b: "x" });
    assert.deepEqual(ev.config.n, { a: 1, b: "y" });
    assert.deepEqual(ev.config.l, [
      { a: 2, b: "x" },
      { a: 1, b: "z" },
    ]);
  });
  it("unions the values of two enums", () => {
    const a = defineModule({ options: { level: option({ type: t.enumOf(["info", "warn"]), default: "info", description: "Level." }) } });
    const b = defineModule({ options: { level: option({ type: t.enumOf(["debug"]), description: "Level." }) } });
    assert.equal(evaluate(a, b, defineModule({ config: { level: "debug" } })).config.level, "debug");
    assert.match(
      errorOf(() => evaluate(a, b, defineModule({ config: { level: "trace" } })).config.level),
      /expected one of "info", "warn", "debug"/,
    );
  });
  it("merges two declarations of the same scalar type, and refuses different ones", () => {
    const a = defineModule({ options: { n: option({ type: t.ints.between(1, 9), default: 1, description: "N." }) } });
    const same = defineModule({ options: { n: option({ type: t.ints.between(1, 9), description: "N." }) } });
    const other = defineModule({ options: { n: option({ type: t.ints.between(1, 10), description: "N." }) } });
    assert.equal(evaluate(a, same).config.n, 1);
    assert.match(
      errorOf(() => evaluate(a, other)),
      /declared twice with types that do not merge \(integer between 1 and 9; integer between 1 and 10\)/,
    );
  });
  it("refuses attribute sets whose key types differ", () => {
    const a = defineModule({ options: { f: option({ type: t.attrsOf(t.int, t.path), description: "F." }) } });
    const b = defineModule({ options: { f: option({ type: t.attrsOf(t.int), description: "F." }) } });
    assert.match(
      errorOf(() => evaluate(a, b)),
      /the option f is declared twice with types that do not merge/,
    );
  });
  it("is typed: the config has the fields of both submodules, definitions are checked", () => {
    type Both = typeof webOptions & typeof acmeOptions;
    const defs: DefinitionsOf<Both> = { web: { virtualHosts: { x: { root: "/srv/x", enableACME: true } } } };
    const ev = new Evaluation<ConfigOf<Both>>({ modules: [web, acme, defineModule({ config: defs })] });
    const x = ev.config.web.virtualHosts["x"]!;
    const root: string = x.root;
    const enabled: boolean = x.enableACME;
    assert.deepEqual([root, enabled], ["/srv/x", true]);
    // @ts-expect-error a misspelt field of the added submodule is a compile error
    assert.equal(x.enableAcme, undefined);
    // @ts-expect-error a definition of the added option is typed
    const wrong: DefinitionsOf<Both> = { web: { virtualHosts: { x: { enableACME: "yes" } } } };
    assert.ok(wrong);
  });
});

describe("submodule config functions", () => {
  it("receive what the enclosing evaluation passes down, in nested submodules too", () => {
    const inner = t.submodule({
      options: { label: option({ type: t.str, description: "Label." }) },
      config: (args) => ({ label: `${(args as unknown as { site: string }).site}/${args.name}` }),
    });
    const m = defineModule({
      options: {
        outer: option({
          type: t.attrsOf(t.submodule({ options: { inner: option({ type: t.attrsOf(inner), default: {}, description: "I." }) } })),
          default: {},
          description: "O.",
        }),
      },
    });
    const ev = new Evaluation({ modules: [m, defineModule({ config: { outer: { a: { inner: { b: {} } } } } })], inherit: { site: "lab" } });
    assert.equal(ev.config.outer.a.inner.b.label, "lab/b");
  });
});

describe("lenient reads", () => {
  it("read an undeclared option as undefined, where config itself refuses it", () => {
    const ev = evaluate(web);
    assert.equal((ev.lenientConfig as Record<string, unknown>).backup, undefined);
    assert.equal((ev.lenientConfig.web as Record<string, unknown>).virtualHost, undefined);
    assert.deepEqual(ev.lenientConfig.web.virtualHosts, {});
    assert.match(
      errorOf(() => (ev.config.web as Record<string, unknown>).virtualHost),
      /the option web\.virtualHost does not exist[\s\S]*did you mean web\.virtualHosts\?/,
    );
    assert.equal(ev.declares(["web", "virtualHosts"]), true);
    assert.equal(ev.declares(["backup"]), false);
  });
});

describe("enableOption and packageOption", () => {
  it("declare the usual enable switch and package", () => {
    const m = defineModule({
      options: { services: { nginx: { enable: enableOption("the web server"), package: packageOption("nginx") } } },
    });
    const ev = evaluate(m);
    assert.deepEqual({ ...ev.config.services.nginx }, { enable: false, package: "nginx" });
    const docs = optionDocs(ev.declarations);
    assert.equal(docs.find((d) => d.path === "services.nginx.enable")!.description, "Whether to enable the web server.");
    assert.match(docs.find((d) => d.path === "services.nginx.package")!.declaredIn, /declarations\.test\.ts:\d+/);
    assert.match(
      errorOf(() => evaluate(m, defineModule({ config: { services: { nginx: { package: "Nginx" } } } })).config.services.nginx.package),
      /expected Debian package name/,
    );
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkAssertions, assertionsModule } from "./assertions.ts";
import { Evaluation } from "./evaluate.ts";
import { defineModule } from "./module.ts";
import { option } from "./option.ts";
import { mkAfter, mkBefore, mkDefault, mkForce, mkIf, mkMerge, mkOrder, mkOverride } from "./properties.ts";
import { errorOf, evaluate } from "./test-support.ts";
import * as t from "./types/index.ts";

const web = defineModule({
  options: {
    services: {
      web: {
        enable: option({ type: t.bool, default: false, description: "Serve." }),
        port: option({ type: t.port, default: 80, description: "Port." }),
        flags: option({ type: t.listOf(t.str), default: [], description: "Flags." }),
      },
    },
    users: option({ type: t.attrsOf(t.str), default: {}, description: "Users and their shells." }),
  },
  config: ({ config }: any) => mkIf(config.services.web.enable, { users: { www: "/usr/sbin/nologin" } }),
});

describe("priorities", () => {
  it("a plain definition beats the option default and mkDefault", () => {
    const ev = evaluate(
      web,
      defineModule({ config: { services: { web: { port: mkDefault(8080) } } } }),
      defineModule({ config: { services: { web: { port: 8081 } } } }),
    );
    assert.equal(ev.config.services.web.port, 8081);
  });
  it("mkForce beats plain definitions", () => {
    const ev = evaluate(
      web,
      defineModule({ config: { services: { web: { port: mkForce(1) } } } }),
      defineModule({ config: { services: { web: { port: 2 } } } }),
    );
    assert.equal(ev.config.services.web.port, 1);
  });
  it("mkOverride picks the lowest number", () => {
    const ev = evaluate(
      web,
      defineModule({ config: { services: { web: { port: mkOverride(10, 10) } } } }),
      defineModule({ config: { services: { web: { port: mkOverride(20, 20) } } } }),
    );
    assert.equal(ev.config.services.web.port, 10);
  });
  it("mkForce on a group of options forces each", () => {
    const ev = evaluate(
      web,
      defineModule({ config: { services: { web: mkForce({ port: 1, enable: true }) } } }),
      defineModule({ config: { services: { web: { port: 2, enable: false } } } }),
    );
    assert.equal(ev.config.services.web.port, 1);
    assert.equal(ev.config.services.web.enable, true);
  });
});

describe("mkIf and mkMerge", () => {
  it("mkIf(false) contributes nothing", () => {
    assert.deepEqual(evaluate(web).config.users, {});
  });
  it("mkIf(true) contributes its content", () => {
    assert.deepEqual(evaluate(web, defineModule({ config: { services: { web: { enable: true } } } })).config.users, {
      www: "/usr/sbin/nologin",
    });
  });
  it("mkMerge contributes each of its parts", () => {
    const ev = evaluate(
      web,
      defineModule({
        config: mkMerge([
          { services: { web: { flags: ["a"] } } },
          mkIf(false, { services: { web: { flags: ["b"] } } }),
          { services: { web: { flags: ["c"] } } },
        ]),
      }),
    );
    assert.deepEqual(ev.config.services.web.flags, ["a", "c"]);
  });
  it("mkIf refuses a condition that is not a boolean", () => {
    assert.throws(() => mkIf("yes" as unknown as boolean, {}), /mkIf expects a boolean/);
  });
});

describe("list order", () => {
  it("mkBefore and mkAfter move definitions, others keep module order", () => {
    const ev = evaluate(
      web,
      defineModule({ config: { services: { web: { flags: mkAfter(["last"]) } } } }),
      defineModule({ config: { services: { web: { flags: ["b"] } } } }),
      defineModule({ config: { services: { web: { flags: mkBefore(["first"]) } } } }),
      defineModule({ config: { services: { web: { flags: mkOrder(1200, ["c"]) } } } }),
    );
    assert.deepEqual(ev.config.services.web.flags, ["first", "b", "c", "last"]);
  });
});

describe("lazy fixpoint", () => {
  it("a module reads the final value that another module defines", () => {
    const ev = evaluate(
      web,
      defineModule({ config: ({ config }: any) => ({ services: { web: { flags: [`--port=${config.services.web.port}`] } } }) }),
      defineModule({ config: { services: { web: { port: 9000 } } } }),
    );
    assert.deepEqual(ev.config.services.web.flags, ["--port=9000"]);
  });
  it("only what is read is evaluated", () => {
    const lazy = defineModule({
      options: { a: option({ type: t.int, description: "" }), b: option({ type: t.int, default: 1, description: "" }) },
    });
    const ev = evaluate(lazy);
    assert.equal(ev.config.b, 1);
    assert.match(
      errorOf(() => ev.config.a),
      /a is used but has no value/,
    );
  });
  it("a real cycle fails with the chain of options", () => {
    const decl = defineModule({
      options: { a: option({ type: t.int, default: 0, description: "" }), b: option({ type: t.int, default: 0, description: "" }) },
    });
    const ab = defineModule({ config: ({ config }: any) => ({ a: config.b + 1 }) });
    const ba = defineModule({ config: ({ config }: any) => ({ b: config.a + 1 }) });
    const msg = errorOf(() => evaluate(decl, ab, ba).config.a);
    assert.match(msg, /infinite recursion: (a|b) depends on itself/);
    assert.match(msg, /→ (a|b)\n/);
  });
  it("a module may read options it declares while defining others", () => {
    const ev = evaluate(web, defineModule({ config: { services: { web: { enable: true } } } }));
    assert.deepEqual(ev.config.users, { www: "/usr/sbin/nologin" });
  });
  it("evaluations read each other (hosts through nodes)", () => {
    const decl = defineModule({
      options: { peer: option({ type: t.str, default: "", description: "" }), name: option({ type: t.str, description: "" }) },
    });
    const evs: Record<string, Evaluation> = {};
    const nodes = {
      a: {
        get config() {
          return evs.a!.config;
        },
      },
      b: {
        get config() {
          return evs.b!.config;
        },
      },
    };
    evs.a = new Evaluation({
      modules: [
        decl,
        defineModule({
          config: ({ nodes }: any) => ({
            name: "A",
            get peer() {
              return nodes.b.config.name;
            },
          }),
        }),
      ],
      args: { nodes },
    });
    evs.b = new Evaluation({
      modules: [
        decl,
        defineModule({
          config: ({ nodes }: any) => ({
            name: "B",
            get peer() {
              return nodes.a.config.name;
            },
          }),
        }),
      ],
      args: { nodes },
    });
    assert.equal(evs.a.config.peer, "B");
    assert.equal(evs.b.config.peer, "A");
  });
  it("without a getter, mutual reads name the module that was still running", () => {
    const decl = defineModule({ options: { x: option({ type: t.int, description: "" }), y: option({ type: t.int, description: "" }) } });
    const msg = errorOf(() => evaluate(decl, defineModule({ config: ({ config }: any) => ({ x: 1, y: config.x }) })).config.y);
    assert.match(msg, /x is used but has no value[\s\S]*write the read as a getter/);
  });
  it("a getter that reads its own option is a cycle", () => {
    const decl = defineModule({ options: { x: option({ type: t.int, default: 0, description: "" }) } });
    const msg = errorOf(
      () =>
        evaluate(
          decl,
          defineModule({
            config: ({ config }: any) => ({
              get x() {
                return config.x + 1;
              },
            }),
          }),
        ).config.x,
    );
    assert.match(msg, /infinite recursion: x depends on itself/);
  });
  it("config is read-only", () => {
    const ev = evaluate(web);
    assert.throws(() => {
      (ev.config as any).services.web = {};
    }, /config is read-only/);
  });
});

describe("declarations", () => {
  it("an option declared twice with another type names both places", () => {
    const again = defineModule({ options: { services: { web: { port: option({ type: t.str, description: "" }) } } } });
    assert.match(
      errorOf(() => evaluate(web, again)),
      /the option services\.web\.port is declared twice with types that do not merge[^\n]*\n {2}declared in .*evaluate\.test\.ts:\d+:\d+\n {2}declared in .*evaluate\.test\.ts:\d+:\d+/,
    );
  });
  it("an option declared twice as an option and as a group names both", () => {
    const again = defineModule({ options: { services: { web: { port: { number: option({ type: t.port, description: "" }) } } } } });
    assert.match(
      errorOf(() => evaluate(web, again)),
      /the option services\.web\.port is declared twice\n {2}declared in .*evaluate\.test\.ts:\d+:\d+\n {2}declared as a group of options/,
    );
  });
  it("a definition of an unknown option suggests the closest", () => {
    const errors = evaluate(web, defineModule({ config: { services: { web: { prot: 1 } } } })).check();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.format(), /did you mean services\.web\.port\?/);
  });
  it("reading an unknown option suggests the closest", () => {
    assert.match(
      errorOf(() => (evaluate(web).config as any).services.web.enabel),
      /services\.web\.enabel does not exist[\s\S]*did you mean services\.web\.enable\?/,
    );
  });
  it("unknown options under a false mkIf are still reported", () => {
    const errors = evaluate(web, defineModule({ config: mkIf(false, { servics: {} }) })).check();
    assert.match(errors[0]!.format(), /did you mean services\?/);
  });
  it("read-only options may be defined once", () => {
    const ro = defineModule({ options: { id: option({ type: t.str, readOnly: true, description: "" }) } });
    assert.match(
      errorOf(() => evaluate(ro, defineModule({ config: { id: "a" } }), defineModule({ config: { id: "a" } })).config.id),
      /id is read-only but defined 2 times/,
    );
  });
});

describe("assertions", () => {
  it("reports every failed assertion with where it was defined", () => {
    const ev = evaluate(
      assertionsModule,
      defineModule({
        config: {
          assertions: [
            { assertion: false, message: "first" },
            { assertion: true, message: "fine" },
          ],
        },
      }),
      defineModule({ config: { assertions: [{ assertion: false, message: "second" }], warnings: ["careful"] } }),
    );
    const report = checkAssertions(ev);
    assert.deepEqual(
      report.failed.map((f) => f.message),
      ["first", "second"],
    );
    assert.match(report.failed[0]!.site.toString(), /evaluate\.test\.ts:\d+:\d+/);
    assert.deepEqual(
      report.warnings.map((w) => w.message),
      ["careful"],
    );
  });
});

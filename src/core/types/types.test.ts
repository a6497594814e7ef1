import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mkDefault, mkForce } from "../properties.ts";
import { errorOf, mergeOf } from "../test-support.ts";
import { option } from "../option.ts";
import * as t from "./index.ts";

describe("scalar types", () => {
  it("bool accepts booleans and merges equal definitions", () => {
    assert.equal(mergeOf(t.bool, true, true), true);
    assert.match(
      errorOf(() => mergeOf(t.bool, "yes")),
      /x: expected boolean/,
    );
  });
  it("bool definitions that disagree conflict", () => {
    assert.match(
      errorOf(() => mergeOf(t.bool, true, false)),
      /conflicting values for x \(bool\)/,
    );
  });
  it("int rejects fractions and unsafe integers", () => {
    assert.equal(mergeOf(t.int, -3), -3);
    assert.match(
      errorOf(() => mergeOf(t.int, 1.5)),
      /expected integer/,
    );
    assert.match(
      errorOf(() => mergeOf(t.int, 2 ** 60)),
      /expected integer/,
    );
  });
  it("ints.between checks its range", () => {
    assert.equal(mergeOf(t.ints.between(1, 5), 5), 5);
    assert.match(
      errorOf(() => mergeOf(t.ints.between(1, 5), 6)),
      /expected integer between 1 and 5/,
    );
    assert.match(
      errorOf(() => mergeOf(t.ints.positive, 0)),
      /positive integer/,
    );
    assert.equal(mergeOf(t.ints.unsigned, 0), 0);
  });
  it("port rejects a port above 65535", () => {
    assert.equal(mergeOf(t.port, 443), 443);
    assert.match(
      errorOf(() => mergeOf(t.port, 65536)),
      /expected port number/,
    );
    assert.match(
      errorOf(() => mergeOf(t.port, "80")),
      /expected port number/,
    );
  });
  it("str merges equal strings and conflicts otherwise", () => {
    assert.equal(mergeOf(t.str, "a", "a"), "a");
    assert.match(
      errorOf(() => mergeOf(t.str, "a", "b")),
      /conflicting values/,
    );
  });
  it("lines joins every definition with a newline", () => {
    assert.equal(mergeOf(t.lines, "a", "b"), "a\nb");
  });
  it("path wants an absolute path without ..", () => {
    assert.equal(mergeOf(t.path, "/srv/data"), "/srv/data");
    assert.match(
      errorOf(() => mergeOf(t.path, "srv")),
      /expected absolute path, but it does not start with \//,
    );
    assert.match(
      errorOf(() => mergeOf(t.path, "/srv/../etc")),
      /it contains \.\./,
    );
  });
  it("enum lists the values it accepts", () => {
    const e = t.enumOf(["a", "b"]);
    assert.equal(mergeOf(e, "b"), "b");
    assert.match(
      errorOf(() => mergeOf(e, "c")),
      /expected one of "a", "b"/,
    );
  });
  it("pkg takes Debian package names", () => {
    assert.equal(mergeOf(t.pkg, "libpq5"), "libpq5");
    assert.equal(mergeOf(t.pkg, "g++"), "g++");
    assert.match(
      errorOf(() => mergeOf(t.pkg, "Nginx")),
      /Debian package name/,
    );
  });
  it("strMatching names what it wanted", () => {
    const hex = t.strMatching(/^[0-9a-f]+$/, "hex string");
    assert.match(
      errorOf(() => mergeOf(hex, "xyz")),
      /expected hex string/,
    );
  });
});

describe("duration and bytes", () => {
  it("duration reads units and merges to seconds", () => {
    assert.equal(mergeOf(t.duration, "5m"), 300);
    assert.equal(mergeOf(t.duration, "1h30m"), 5400);
    assert.equal(mergeOf(t.duration, "250ms"), 0.25);
    assert.equal(mergeOf(t.duration, 90), 90);
    assert.equal(mergeOf(t.duration, "1m", 60), 60);
  });
  it("duration rejects words and negatives", () => {
    assert.match(
      errorOf(() => mergeOf(t.duration, "5 minutes")),
      /expected duration/,
    );
    assert.match(
      errorOf(() => mergeOf(t.duration, -1)),
      /expected duration/,
    );
    assert.match(
      errorOf(() => mergeOf(t.duration, "5m", "6m")),
      /conflicting values/,
    );
  });
  it("bytes reads binary units", () => {
    assert.equal(mergeOf(t.bytes, "200M"), 200 * 1024 * 1024);
    assert.equal(mergeOf(t.bytes, "1G"), 1024 ** 3);
    assert.equal(mergeOf(t.bytes, 512), 512);
    assert.match(
      errorOf(() => mergeOf(t.bytes, "1.5G")),
      /expected size/,
    );
  });
});

describe("container types", () => {
  it("nullOr takes null or the element", () => {
    assert.equal(mergeOf(t.nullOr(t.int), null), null);
    assert.equal(mergeOf(t.nullOr(t.int), 3), 3);
    assert.match(
      errorOf(() => mergeOf(t.nullOr(t.int), null, 3)),
      /conflicting values for x \(null or int\)/,
    );
  });
  it("listOf concatenates definitions in order", () => {
    assert.deepEqual(mergeOf(t.listOf(t.int), [1, 2], [3]), [1, 2, 3]);
  });
  it("listOf checks every element and names its index", () => {
    assert.match(
      errorOf(() => mergeOf(t.listOf(t.port), [80, 99999])),
      /x\[1\]: expected port number/,
    );
    assert.match(
      errorOf(() => mergeOf(t.listOf(t.int), 3)),
      /expected list of integer, but it is not a list/,
    );
  });
  it("attrsOf merges key by key", () => {
    assert.deepEqual(mergeOf(t.attrsOf(t.int), { a: 1 }, { b: 2 }), { a: 1, b: 2 });
    assert.match(
      errorOf(() => mergeOf(t.attrsOf(t.int), { a: 1 }, { a: 2 })),
      /conflicting values for x\.a/,
    );
  });
  it("attrsOf applies priorities per key", () => {
    assert.deepEqual(mergeOf(t.attrsOf(t.int), { a: mkDefault(1), b: 1 }, { a: 2, b: mkForce(3) }), { a: 2, b: 3 });
  });
  it("attrsOf checks its keys when given a key type", () => {
    assert.match(
      errorOf(() => mergeOf(t.attrsOf(t.int, t.path), { etc: 1 })),
      /x\.etc: expected a name that is absolute path/,
    );
  });
  it("oneOf picks the first type every definition fits", () => {
    const u = t.oneOf([t.int, t.str] as const);
    assert.equal(mergeOf(u, 3), 3);
    assert.equal(mergeOf(u, "x"), "x");
    assert.match(
      errorOf(() => mergeOf(u, 3, "x")),
      /conflicting values/,
    );
    assert.match(
      errorOf(() => mergeOf(u, true)),
      /expected integer or string/,
    );
  });
  it("anything merges objects deeply and concatenates lists", () => {
    assert.deepEqual(mergeOf(t.anything, { a: { b: 1 }, l: [1] }, { a: { c: 2 }, l: [2] }), { a: { b: 1, c: 2 }, l: [1, 2] });
  });
});

describe("submodule", () => {
  const user = t.submodule({
    options: {
      home: option({ type: t.path, description: "home" }),
      shell: option({ type: t.str, default: "/bin/sh", description: "shell" }),
    },
    config: ({ name }) => ({ home: mkDefault(`/home/${name}`) }),
  });
  it("gets its attribute name and fills defaults", () => {
    assert.deepEqual(mergeOf(t.attrsOf(user), { alice: {} }), { alice: { home: "/home/alice", shell: "/bin/sh" } });
  });
  it("merges definitions from several modules", () => {
    assert.deepEqual(mergeOf(t.attrsOf(user), { bob: { shell: "/bin/bash" } }, { bob: { home: "/srv/bob" } }), {
      bob: { home: "/srv/bob", shell: "/bin/bash" },
    });
  });
  it("names the nested option in a type error", () => {
    assert.match(
      errorOf(() => mergeOf(t.attrsOf(user), { carol: { shell: 1 } })),
      /x\.carol\.shell: expected string/,
    );
  });
  it("rejects a nested option that does not exist, with a suggestion", () => {
    const msg = errorOf(() => mergeOf(t.attrsOf(user), { dave: { shel: "/bin/sh" } }));
    assert.match(msg, /the option x\.dave\.shel does not exist/);
    assert.match(msg, /did you mean x\.dave\.shell\?/);
  });
  it("runs its validate rule", () => {
    const range = t.submodule({
      options: { from: option({ type: t.int, description: "" }), to: option({ type: t.int, description: "" }) },
      validate: (r) => (r.from > r.to ? "from is above to" : null),
    });
    assert.match(
      errorOf(() => mergeOf(range, { from: 2, to: 1 })),
      /x: from is above to/,
    );
  });
});

describe("secret references", () => {
  it("accepts secret(name)", () => {
    assert.deepEqual(mergeOf(t.secretRef, t.secret("smtp_password")), { secret: "smtp_password" });
  });
  it("refuses a plain string, saying why, without printing it", () => {
    const msg = errorOf(() => mergeOf(t.secretRef, "hunter2"));
    assert.match(msg, /it is a plain string/);
    assert.match(msg, /\(value hidden\) +defined in/);
    assert.doesNotMatch(msg, /hunter2/);
    assert.doesNotMatch(
      errorOf(() => mergeOf(t.nullOr(t.secretRef), "hunter2")),
      /hunter2/,
    );
  });
  it("refuses a malformed name at the call", () => {
    assert.throws(() => t.secret("bad name"), /invalid secret name/);
  });
});

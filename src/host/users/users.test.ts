import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorOf } from "../../core/test-support.ts";
import { buildOne } from "../test-support.ts";

// buildOne defines the configuration, so its line is where every definition is.
const here = /defined in src\/host\/test-support\.ts:\d+/;

describe("users: what roost check refuses, with the option and where it was defined", () => {
  it("uid 0, unless the account is declared existing", () => {
    const e = errorOf(() => buildOne({ users: { users: { admin: { uid: 0 } } } }));
    assert.match(e, /users\.users\.admin: uid 0 is root's/);
    assert.match(e, here);
    const gen = buildOne({ users: { users: { root: { existing: true, authorizedKeys: ["ssh-ed25519 AAAA root@x"] } } } });
    assert.deepEqual(gen.manifest.users.root!.authorizedKeys, ["ssh-ed25519 AAAA root@x"]);
    assert.equal(gen.manifest.groups.root, undefined, "an existing account's group is not declared");
    assert.deepEqual(
      Object.keys(gen.manifest.files).filter((f) => f.includes("authorized_keys")),
      [],
      "its keys are not a file at an assumed home",
    );
  });

  it("two users or groups with one id", () => {
    const e = errorOf(() =>
      buildOne({ users: { users: { a: { uid: 1500 }, b: { uid: 1500 } }, groups: { g: { gid: 1600 }, h: { gid: 1600 } } } }),
    );
    assert.match(e, /users\.users\.b\.uid: uid 1500 is also a's/);
    assert.match(e, here);
    const g = errorOf(() => buildOne({ users: { groups: { g: { gid: 1600 }, h: { gid: 1600 } } } }));
    assert.match(g, /users\.groups\.h\.gid: gid 1600 is also g's/);
  });

  it("names longer than 32 characters or outside adduser's NAME_REGEX", () => {
    assert.match(
      errorOf(() => buildOne({ users: { users: { ["a".repeat(33)]: {} } } })),
      /is longer than 32 characters/,
    );
    assert.match(
      errorOf(() => buildOne({ users: { users: { _svc: {} } } })),
      /users\.users\._svc: the name "_svc" does not match adduser's NAME_REGEX/,
    );
    buildOne({ users: { users: { _svc: { isSystemUser: true } } } });
  });

  it("':' or a newline in the GECOS field", () => {
    const e = errorOf(() => buildOne({ users: { users: { a: { description: "A: B" } } } }));
    assert.match(e, /users\.users\.a\.description: expected GECOS field, but it holds ":"/);
    assert.match(e, here);
    assert.match(
      errorOf(() => buildOne({ users: { users: { a: { description: "A\nb" } } } })),
      /GECOS/,
    );
  });

  it("extraGroups that are neither declared nor a Debian base group", () => {
    const e = errorOf(() => buildOne({ users: { users: { a: { extraGroups: ["docker"] } } } }));
    assert.match(e, /users\.users\.a\.extraGroups: "docker" is neither declared in users\.groups nor a group of a Debian 12 base system/);
    assert.match(e, here);
    buildOne({ users: { users: { a: { extraGroups: ["docker", "sudo", "systemd-journal"] } }, groups: { docker: {} } } });
  });

  it("two users sharing one home while both have authorizedKeys", () => {
    const key = ["ssh-ed25519 AAAA k"];
    const e = errorOf(() =>
      buildOne({ users: { users: { a: { home: "/srv/shared", authorizedKeys: key }, b: { home: "/srv/shared", authorizedKeys: key } } } }),
    );
    assert.match(e, /users\.users\.b\.home: \/srv\/shared is also a's home, and both have authorizedKeys/);
    assert.match(e, here);
    buildOne({ users: { users: { a: { home: "/srv/shared", authorizedKeys: key }, b: { home: "/srv/shared" } } } });
  });
});

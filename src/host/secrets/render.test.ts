import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildHost } from "../../build/generation.ts";
import { errorOf } from "../../core/test-support.ts";
import { secret } from "../../core/index.ts";
import { FleetEvaluation, defineFleet, host } from "../fleet.ts";
import type { HostDefinitions } from "../module.ts";
import type { SecretSource } from "./render.ts";

const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOJ5example";
const source: SecretSource = {
  file: "secrets.yaml",
  lookup: (name) =>
    name === "db"
      ? {
          version: "v1",
          recipients: ["age1admin", hostKey],
          value: "-----BEGIN AGE ENCRYPTED FILE-----\nxyz\n-----END AGE ENCRYPTED FILE-----\n",
        }
      : undefined,
};
const build = (config: HostDefinitions, context: { secrets: SecretSource | null; hostKey?: string } = { secrets: source, hostKey }) =>
  buildHost("h", new FleetEvaluation(defineFleet({ hosts: { h: host({ address: "root@h", config }) } })).host("h"), {
    secrets: context.secrets,
    hostKey: context.hostKey,
  });

describe("secret outputs", () => {
  it("ship ciphertext only, and a manifest entry with a version", () => {
    const gen = build({ secrets: { db: { secret: secret("db"), owner: "postgres" } } });
    assert.equal(gen.manifest.secrets.db!.path, "/run/roost/secrets/db");
    assert.equal(gen.manifest.secrets.db!.owner, "postgres");
    assert.match(gen.data["secrets/values/db.age"]!, /BEGIN AGE ENCRYPTED FILE/);
    assert.equal(gen.data["secrets.tsv"], "db\t/run/roost/secrets/db\t0400\tpostgres\troot\traw\n");
    assert.ok(gen.manifest.packages.includes("age"));
    assert.ok(gen.manifest.units["roost-secrets.service"]);
  });
  it("make a unit that reads them start after they are written", () => {
    const gen = build({
      secrets: { db: { secret: secret("db") } },
      systemd: { services: { app: { secrets: ["db"], serviceConfig: { ExecStart: ["/bin/true"] } } } },
    });
    assert.match(gen.files.get("/etc/systemd/system/app.service")!.content.toString(), /^After=roost-secrets\.service$/m);
  });
  it("restart a unit when its secret changes, or reload it when it asks for that", () => {
    const withVersion = (version: string, onSecretChange: "restart" | "reload") =>
      buildHost(
        "h",
        new FleetEvaluation(
          defineFleet({
            hosts: {
              h: host({
                address: "root@h",
                config: {
                  secrets: { db: { secret: secret("db") } },
                  systemd: { services: { app: { secrets: ["db"], onSecretChange, serviceConfig: { ExecStart: ["/bin/true"] } } } },
                },
              }),
            },
          }),
        ).host("h"),
        { secrets: { file: "s", lookup: (n) => (n === "db" ? { ...source.lookup("db")!, version } : undefined) }, hostKey },
      ).manifest.units["app.service"]!;
    assert.notEqual(withVersion("v1", "restart").sha256, withVersion("v2", "restart").sha256);
    assert.equal(withVersion("v1", "reload").sha256, withVersion("v2", "reload").sha256);
    assert.notEqual(withVersion("v1", "reload").reload, withVersion("v2", "reload").reload);
  });
  it("refuse a unit naming an output that does not exist", () => {
    assert.match(
      errorOf(() => build({ systemd: { services: { app: { secrets: ["nope"] } } } })),
      /systemd\.services\.app\.secrets: there is no secrets\.nope/,
    );
  });
  it("refuse a path off tmpfs", () => {
    assert.match(
      errorOf(() => build({ secrets: { db: { secret: secret("db"), path: "/etc/db.pass" } } })),
      /path \/etc\/db\.pass is not under \/run/,
    );
  });
  it("need a secrets file and a pinned host key", () => {
    assert.match(
      errorOf(() => build({ secrets: { db: { secret: secret("db") } } }, { secrets: null, hostKey })),
      /h uses secrets, but the fleet has no secrets file/,
    );
    assert.match(
      errorOf(() => build({ secrets: { db: { secret: secret("db") } } }, { secrets: source })),
      /does not pin its SSH host key[\s\S]*hint: add hostKey to the host \(`roost hosts keyscan h` prints it\)/,
    );
  });
  it("name a secret not encrypted to this host", () => {
    assert.match(
      errorOf(() => build({ secrets: { db: { secret: secret("db") } } }, { secrets: source, hostKey: "ssh-ed25519 AAAAother" })),
      /the secret "db" is not encrypted to h's host key[\s\S]*roost secrets rekey/,
    );
  });
});

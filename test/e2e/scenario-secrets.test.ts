import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host, secret } from "roost";
import { runScenario } from "roost/testing";

const fleet = defineFleet({
  hosts: {
    alpha: host({
      address: "root@alpha",
      config: {
        secrets: {
          token: { secret: secret("api_token") },
          env: { environment: { DB_PASSWORD: secret("db_password") } },
        },
      },
    }),
  },
});

describe("a scenario's secrets", { timeout: 300_000 }, () => {
  it("reach the host with the given values, random ones for the rest, stable across deploys and rotatable", async () => {
    await runScenario({
      fleet,
      secrets: { api_token: "given-token-value" },
      async test({ hosts, deploy, secrets }) {
        const alpha = hosts.alpha!;
        await deploy();
        assert.equal(await alpha.succeed("cat /run/roost/secrets/token"), "given-token-value");
        const generated = secrets.values.db_password!;
        assert.match(generated, /^[A-Za-z0-9_-]{24}$/);
        assert.match(await alpha.succeed("cat /run/roost/secrets/env"), new RegExp(`^DB_PASSWORD="?${generated}"?$`, "m"));

        await deploy();
        assert.equal(secrets.values.db_password, generated, "a redeploy keeps the value");

        secrets.set("api_token", "rotated-token-value");
        await deploy();
        assert.equal(await alpha.succeed("cat /run/roost/secrets/token"), "rotated-token-value");
      },
    });
  });
});

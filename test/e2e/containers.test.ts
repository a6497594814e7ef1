import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { defineFleet, host, secret } from "roost";
import { containers, nspawnHostProfile } from "roost/services/containers";
import { runScenario } from "roost/testing";
import { busyboxImage } from "./fixtures/busybox-image.ts";
import { activeSince } from "./test-fleet.ts";

// Files a fleet ships must live under its directory or Roost's: the image is built in test/artifacts.
const artifacts = path.join(import.meta.dirname, "../artifacts");
mkdirSync(artifacts, { recursive: true });
const dir = mkdtempSync(path.join(artifacts, "containers-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const imageFile = busyboxImage(dir, "bb.tar", "localhost/bb:1", "hello from a container");
const newerImageFile = busyboxImage(dir, "bb2.tar", "localhost/bb:2", "hello from a newer image");

interface Variant {
  readonly clientGreeting?: string;
  readonly webHealth?: string[];
  readonly newerWeb?: boolean;
}

function fleet(v: Variant = {}) {
  const image = { image: "localhost/bb:1", imageFile, pullPolicy: "never" as const, extraOptions: ["--init"], networks: ["app"] };
  return defineFleet({
    hosts: {
      ctr: host({
        address: "root@ctr.invalid",
        modules: [containers],
        config: {
          secrets: { "client-env": { environment: { TOKEN: secret("client_token") } } },
          virtualisation: {
            ...nspawnHostProfile.virtualisation,
            "oci-containers": {
              networks: { app: {} },
              containers: {
                web: {
                  ...image,
                  ...(v.newerWeb ? { image: "localhost/bb:2", imageFile: newerImageFile } : {}),
                  cmd: ["httpd", "-f", "-p", "80", "-h", "/www"],
                  ports: ["127.0.0.1:18080:80"],
                  healthCommand: v.webHealth ?? ["/bin/wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"],
                  healthInterval: 5,
                  healthTimeout: 8,
                },
                // Asks web by its container name every second and logs the answer.
                client: {
                  ...image,
                  dependsOn: ["web"],
                  environment: { GREETING: v.clientGreeting ?? "first" },
                  environmentFiles: ["client-env"],
                  cmd: ["/bin/sh", "-c", 'while :; do echo "$GREETING: $(wget -q -O - http://web/ 2>&1)"; sleep 1; done'],
                },
              },
            },
          },
        },
      }),
    },
  });
}

describe("containers as systemd units on a real host", { timeout: 400_000 }, () => {
  it("ship an image without a registry, talk by name, publish on 127.0.0.1, restart alone and roll back on a failing health command", async () => {
    await runScenario({
      fleet: fleet(),
      secrets: { client_token: 'a token with spaces, $dollars and "quotes"' },
      async test({ hosts, deploy, secrets }) {
        const ctr = hosts.ctr!;
        const [first] = await deploy();
        assert.equal(first!.status, "deployed", first!.error);
        assert.ok(
          first!.plan!.transfer.bytes > 1_000_000,
          `the image travelled with the generation (${first!.plan!.transfer.bytes} bytes)`,
        );

        // The published port answers on 127.0.0.1 only.
        assert.equal((await ctr.waitUntilSucceeds("curl -sf http://127.0.0.1:18080/")).trim(), "hello from a container");
        await ctr.fail(`curl -sf --max-time 3 http://${ctr.address}:18080/`);
        // The client reaches web by its name on the shared network, and its output is in the journal under its name.
        await ctr.waitUntilSucceeds("journalctl -t client -o cat | grep -q 'first: hello from a container'");
        assert.equal((await ctr.succeed("podman exec client wget -q -O - http://web/")).trim(), "hello from a container");
        assert.match(await ctr.succeed("podman healthcheck run web && echo healthy"), /healthy/);
        // A secret reaches the container's environment as written, and is in no unit.
        const token = () => ctr.succeed(`podman exec client sh -c 'printf %s "$TOKEN"'`);
        assert.equal(await token(), secrets.values.client_token);
        assert.doesNotMatch(await ctr.succeed("systemctl cat podman-client.service"), /spaces/);

        // Nothing changed: nothing travels, nothing restarts.
        const webSince = await activeSince(ctr, "podman-web.service");
        const clientSince = await activeSince(ctr, "podman-client.service");
        const [noop] = await deploy();
        assert.equal(noop!.status, "unchanged");
        assert.equal(noop!.plan?.transfer.bytes ?? 0, 0);
        assert.equal(await activeSince(ctr, "podman-web.service"), webSince);
        assert.equal(await activeSince(ctr, "podman-client.service"), clientSince);

        // One container's environment changes: only its unit travels, only it restarts.
        const [change] = await deploy({ fleet: fleet({ clientGreeting: "second" }) });
        assert.equal(change!.status, "deployed", change!.error);
        assert.deepEqual(change!.actions.restarted, ["podman-client.service"]);
        assert.ok(change!.plan!.transfer.bytes < 20_000, `only the unit travelled (${change!.plan!.transfer.bytes} bytes)`);
        assert.equal(await activeSince(ctr, "podman-web.service"), webSince);
        await ctr.waitUntilSucceeds("journalctl -t client -o cat | grep -q 'second: hello from a container'");

        // A rotated secret restarts the container that reads it, and only that one.
        secrets.set("client_token", "rotated");
        const [rotated] = await deploy({ fleet: fleet({ clientGreeting: "second" }) });
        assert.deepEqual(rotated!.actions.restarted, ["podman-client.service"]);
        assert.equal(await token(), "rotated");
        assert.equal(await activeSince(ctr, "podman-web.service"), webSince);

        // A new image for web travels once, is loaded, and restarts web (and client, which depends on it).
        const [newer] = await deploy({ fleet: fleet({ clientGreeting: "second", newerWeb: true }) });
        assert.equal(newer!.status, "deployed", newer!.error);
        assert.ok(newer!.plan!.transfer.bytes > 1_000_000);
        assert.deepEqual(newer!.actions.restarted, ["podman-web.service"]);
        assert.equal((await ctr.waitUntilSucceeds("curl -sf http://127.0.0.1:18080/")).trim(), "hello from a newer image");
        await ctr.waitUntilSucceeds("journalctl -t client -o cat | grep -q 'second: hello from a newer image'");
        const [again] = await deploy({ fleet: fleet({ clientGreeting: "second", newerWeb: true }) });
        assert.equal(again!.status, "unchanged");

        // A health command that fails rolls the host back to the generation before, web answering again.
        const current = (await ctr.succeed("readlink /var/lib/roost/current")).trim();
        const [broken] = await deploy({
          fleet: fleet({ clientGreeting: "second", newerWeb: true, webHealth: ["/bin/false"] }),
          allowFailure: true,
        });
        assert.equal(broken!.status, "failed");
        assert.equal(broken!.rolledBack, true);
        assert.match(broken!.error!, /health check podman-web failed/);
        assert.equal((await ctr.succeed("readlink /var/lib/roost/current")).trim(), current);
        assert.equal((await ctr.waitUntilSucceeds("curl -sf http://127.0.0.1:18080/")).trim(), "hello from a newer image");
      },
    });
  });
});

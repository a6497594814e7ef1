import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { defineFleet, defineModule, host, mkForce, type Fleet } from "roost";
import { nspawnHostProfile } from "roost/services/containers";
import { runScenario, startAcmeServer, type AcmeServer } from "roost/testing";
import example from "../../examples/festival/roost.config.ts";
import { busyboxImage } from "./fixtures/busybox-image.ts";
import { activeSince } from "./test-fleet.ts";

const exampleHost = example.hosts["pretix-server-01"]!;
const pebbleCa = "/etc/ssl/pebble-server.pem";
const rootCa = "/etc/ssl/pebble-root.pem";
const services = (exampleHost.config as { zugvoegel: { services: Record<string, Record<string, unknown>> } }).zugvoegel.services;
const domains = [
  services.pretix!.domain,
  services.schwarmplaner!.domain,
  services.schwarmplaner!.apiDomain,
  services.vikunja!.domain,
  services.audiotranscriber!.domain,
  services.minio!.domain,
  services.minio!.consoleDomain,
] as string[];
const transcriber = services.audiotranscriber!.domain as string;

/** Each container of the example, its image as the example names it, and the port it serves inside. */
const standIns = {
  pretix: ["docker.io/manulinger/zv-ticketing:pretix-custom-cliques", 80],
  "schwarmplaner-db": ["docker.io/library/mysql:8.0.40", 3306],
  "schwarmplaner-api": ["ghcr.io/zugvoegel/schwarmplaner-api:1.4.2", 3000],
  "schwarmplaner-frontend": ["ghcr.io/zugvoegel/schwarmplaner-frontend:1.4.2", 8000],
  "schwarmplaner-nginx": ["docker.io/library/nginx:1.27.2-alpine", 80],
  vikunja: ["docker.io/vikunja/vikunja:0.24.6", 3456],
  audiotranscriber: ["docker.io/manulinger/audiotranscriber-pwa:2.1.0", 8000],
  minio: ["docker.io/minio/minio:RELEASE.2024-10-13T13-34-11Z", 9000],
  bank: ["ghcr.io/zugvoegel/bank-automation:0.9.1", 0],
} as const;

// Busybox images under the example's image names, each page saying which container answers.
const artifacts = path.join(import.meta.dirname, "../artifacts");
mkdirSync(artifacts, { recursive: true });
const dir = mkdtempSync(path.join(artifacts, "festival-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const imageFiles = Object.fromEntries(
  Object.entries(standIns).map(([name, [image]]) => [name, busyboxImage(dir, `${name}.tar`, image, `festival ${name}`)]),
);

interface Lab {
  readonly acme: AcmeServer | null;
  readonly root: string;
  readonly pretixPort?: number;
}

/** The example's host with the test profile: busybox stand-ins (httpd on each container port), pebble as the ACME server. */
function labFleet(lab: Lab): Fleet {
  const containers = Object.fromEntries(
    Object.entries(standIns).map(([name, [, port]]) => [
      name,
      {
        imageFile: imageFiles[name]!,
        pullPolicy: "never",
        extraOptions: ["--init"],
        // MinIO's 9001 console is a second httpd in the same container.
        cmd: mkForce(
          name === "bank"
            ? ["/bin/sh", "-c", "echo bank job ran"]
            : name === "minio"
              ? ["/bin/sh", "-c", "httpd -p 9001 -h /www && exec httpd -f -p 9000 -h /www"]
              : ["httpd", "-f", "-p", String(port), "-h", "/www"],
        ),
      },
    ]),
  );
  const lab_ = defineModule({
    config: () =>
      ({
        files: { [pebbleCa]: { text: lab.acme?.serverCaPem ?? "none\n" } },
        security: { acme: { defaults: { server: mkForce(lab.acme?.directoryUrl ?? "https://acme.invalid/dir"), serverCaFile: pebbleCa } } },
        virtualisation: { ...nspawnHostProfile.virtualisation, "oci-containers": { containers } },
        ...(lab.pretixPort ? { zugvoegel: { services: { pretix: { port: mkForce(lab.pretixPort) } } } } : {}),
        deployment: { confirmTimeout: 30 },
      }) as never,
  });
  return defineFleet({
    hosts: {
      festival: host({
        address: exampleHost.address,
        modules: [...exampleHost.modules, lab_],
        config: exampleHost.config as never,
      }),
      client: host({ address: "root@client.invalid", config: { files: { [rootCa]: { text: lab.root } } } }),
    },
  });
}

describe("the festival example (seed 000) on a test host", { timeout: 600_000 }, () => {
  it("serves every virtual host over HTTPS from pebble, links the planner's containers by name, runs the bank job on its timer, refuses a >1 GiB upload, moves pretix's port alone, and opens only 22/80/443", async () => {
    await runScenario({
      fleet: labFleet({ acme: null, root: "none\n" }),
      async test({ hosts, deploy }) {
        const web = hosts.festival!;
        const client = hosts.client!;
        const acme = await startAcmeServer({ address: web.spec.gateway });
        try {
          for (const d of domains) await acme.addHost(d, web.address);
          const lab: Lab = { acme, root: await acme.issuingRootPem() };
          const https = (domain: string, args = "") =>
            client.succeed(`curl -sS --max-time 10 --cacert ${rootCa} --resolve ${domain}:443:${web.address} ${args} https://${domain}/`);

          const started = Date.now();
          const [first] = await deploy({ fleet: labFleet(lab), allowFailure: true });
          if (first!.status === "failed")
            assert.fail(`${first!.error}\n${await web.succeed("journalctl --no-pager -o short-precise -n 80 || true")}`);
          console.log(`first deploy: ${((Date.now() - started) / 1000).toFixed(1)} s`);

          // Every virtual host answers over HTTPS with pebble's certificate, from its own container.
          const page: Record<string, string> = {
            [services.pretix!.domain as string]: "festival pretix",
            [services.schwarmplaner!.domain as string]: "festival schwarmplaner-nginx",
            [services.schwarmplaner!.apiDomain as string]: "festival schwarmplaner-api",
            [services.vikunja!.domain as string]: "festival vikunja",
            [transcriber]: "festival audiotranscriber",
            [services.minio!.domain as string]: "festival minio",
            [services.minio!.consoleDomain as string]: "festival minio",
          };
          for (const d of domains) {
            await client
              .waitUntilSucceeds(
                `curl -sf --max-time 5 --cacert ${rootCa} --resolve ${d}:443:${web.address} https://${d}/ >/dev/null`,
                // certbot runs one request at a time on a host: the seven certificates come one after another.
                240_000,
              )
              .catch(async (e) => {
                // What nginx answers, and the state of the units and containers behind it.
                const answer = await client.ssh(
                  `curl -sS -o /dev/null -w 'HTTP %{http_code}' --max-time 5 --cacert ${rootCa} --resolve ${d}:443:${web.address} https://${d}/`,
                );
                const units = await web.ssh(
                  "systemctl --no-pager --failed; podman ps -a --format '{{.Names}} {{.Status}}'; podman port -a; ss -ltnH; tail -n 20 /var/log/nginx/error.log; iptables -t nat -S 2>&1 | grep -i -e dnat -e hostport",
                );
                const journal = await web.ssh(`journalctl --no-pager -n 80 -u 'acme-*' -u nginx.service -u 'podman-*'`);
                throw new Error(
                  `${(e as Error).message}\n${d}: ${answer.stdout}${answer.stderr}\n${units.stdout}${journal.stdout}${acme.log().slice(-30).join("\n")}`,
                );
              });
            assert.equal((await https(d, "-f")).trim(), page[d], d);
          }
          console.log(`every virtual host on HTTPS: ${((Date.now() - started) / 1000).toFixed(1)} s after the deploy started`);

          // The planner's containers reach each other by name on their network.
          for (const [peer, port] of [
            ["schwarmplaner-api", 3000],
            ["schwarmplaner-frontend", 8000],
            ["schwarmplaner-db", 3306],
          ] as const)
            assert.equal(
              (await web.succeed(`podman exec schwarmplaner-nginx wget -q -O - http://${peer}:${port}/`)).trim(),
              `festival ${peer}`,
            );

          // The bank job: a timer with its four times, and a run on demand that ends cleanly.
          const timers = await web.succeed("systemctl list-timers --all --no-pager podman-bank.timer");
          assert.match(timers, /podman-bank\.timer\s+podman-bank\.service/);
          assert.match(
            await web.succeed("systemctl cat podman-bank.timer"),
            /OnCalendar=\*-\*-\* 06:00:00[\s\S]*OnCalendar=\*-\*-\* 23:00:00/,
          );
          await web.succeed("systemctl start podman-bank.service");
          await web.waitUntilSucceeds("journalctl -t bank -o cat | grep -q 'bank job ran'");
          assert.match(await web.succeed("systemctl show -p Result --value podman-bank.service"), /^success$/m);

          // Uploads: the transcriber's limit is 1024M; a body beyond it is refused by nginx with 413
          // (sent as a sparse file: nginx answers on the Content-Length), a small one reaches the container.
          assert.match(await web.succeed("cat /etc/nginx/roost.conf"), /client_max_body_size 1024M;/);
          await client.succeed("truncate -s 1025M /tmp/big && truncate -s 1M /tmp/small");
          const status = (file: string) => https(transcriber, `-o /dev/null -w '%{http_code}' -X POST -T ${file}`);
          assert.equal(await status("/tmp/big"), "413");
          assert.notEqual(await status("/tmp/small"), "413");

          // From another host only SSH, HTTP and HTTPS answer.
          for (const port of [22, 80, 443]) await client.succeed(`timeout 3 bash -c 'exec 3<>/dev/tcp/${web.address}/${port}'`);
          for (const port of [12345, 3301, 3302, 3303, 3304, 3456, 8001, 9000, 9001, 5432, 6379])
            await client.fail(`timeout 3 bash -c 'exec 3<>/dev/tcp/${web.address}/${port}'`);

          const rss = (await web.succeed("ps -e -o rss= | awk '{s+=$1} END {print s}'")).trim();
          console.log(`host RSS after deploy (sum over processes): ${(Number(rss) / 1024).toFixed(0)} MiB`);

          // Nothing changed: nothing restarts.
          const noopStarted = Date.now();
          const [noop] = await deploy({ fleet: labFleet(lab) });
          assert.equal(noop!.status, "unchanged");
          console.log(`no-op redeploy: ${((Date.now() - noopStarted) / 1000).toFixed(1)} s`);

          // pretix's port: the container's publish and nginx's upstream move together; pretix restarts alone, nginx reloads.
          const since = Object.fromEntries(
            await Promise.all(
              ["podman-vikunja.service", "podman-schwarmplaner-nginx.service", "nginx.service"].map(async (u) => [
                u,
                await activeSince(web, u),
              ]),
            ),
          );
          const [moved] = await deploy({ fleet: labFleet({ ...lab, pretixPort: 12346 }) });
          assert.equal(moved!.status, "deployed", moved!.error);
          assert.deepEqual(moved!.actions.restarted, ["podman-pretix.service"]);
          assert.deepEqual(moved!.actions.reloaded, ["nginx.service"]);
          for (const [u, s] of Object.entries(since)) assert.equal(await activeSince(web, u), s, u);
          assert.match(await web.succeed("podman port pretix"), /^80\/tcp -> 127\.0\.0\.1:12346$/m);
          assert.match(await web.succeed("cat /etc/nginx/roost.conf"), /proxy_pass http:\/\/127\.0\.0\.1:12346;/);
          await web.fail("timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/12345'");
          await client.waitUntilSucceeds(
            `curl -sf --max-time 5 --cacert ${rootCa} --resolve ${services.pretix!.domain}:443:${web.address} https://${services.pretix!.domain}/ | grep -q 'festival pretix'`,
            30_000,
          );
        } finally {
          await acme.close();
        }
      },
    });
  });
});

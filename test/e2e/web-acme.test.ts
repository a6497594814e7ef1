import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, execLine, host, type Fleet } from "roost";
import { acme } from "roost/services/acme";
import { nginx } from "roost/services/nginx";
import { runScenario, startAcmeServer, type AcmeServer } from "roost/testing";

const site = "site.example.test";
const pebbleCa = "/etc/ssl/pebble-server.pem";
const rootCa = "/etc/ssl/pebble-root.pem";
const certbotDirs =
  "--config-dir /var/lib/acme/.certbot/config --work-dir /var/lib/acme/.certbot/work --logs-dir /var/lib/acme/.certbot/logs";

type Vhost = Record<string, unknown>;

/** web: a backend on :8000 (every address, as a careless service would bind) behind nginx with a certificate from pebble; client: nothing. */
function webFleet(server: AcmeServer | null, root: string, vhost: Vhost = {}): Fleet {
  return defineFleet({
    hosts: {
      web: host({
        address: "root@web.invalid",
        modules: [nginx, acme],
        config: {
          files: {
            [pebbleCa]: { text: server?.serverCaPem ?? "none\n" },
            "/srv/backend/index.html": { text: "backend says hi\n" },
            "/srv/static/hello.txt": { text: "static hello\n" },
          },
          networking: { ports: { backend: { port: 8000, option: ["systemd", "services", "backend"] } } },
          systemd: {
            services: {
              backend: {
                description: "A small HTTP backend",
                serviceConfig: {
                  ExecStart: [execLine(["/usr/bin/python3", "-m", "http.server", "8000", "--directory", "/srv/backend"])],
                  DynamicUser: true,
                },
              },
            },
          },
          security: {
            acme: {
              acceptTerms: true,
              defaults: { email: "admin@example.test", server: server?.directoryUrl ?? "https://acme.invalid/dir", serverCaFile: pebbleCa },
            },
          },
          services: {
            nginx: {
              enable: true,
              virtualHosts: {
                [site]: {
                  forceSSL: true,
                  enableACME: true,
                  serverAliases: [`www.${site}`],
                  locations: { "/": { proxyPass: "http://127.0.0.1:8000" }, "/static/": { alias: "/srv/static/" } },
                  ...vhost,
                },
              },
            },
          },
          deployment: { confirmTimeout: 30 },
        },
      }),
      client: host({ address: "root@client.invalid", config: { files: { [rootCa]: { text: root } } } }),
    },
  });
}

describe("nginx with a certificate from a local ACME server", { timeout: 600_000 }, () => {
  it("serves HTTPS with pebble's certificate, redirects HTTP, reloads on change and renewal, and rolls back a configuration nginx refuses", async () => {
    await runScenario({
      fleet: webFleet(null, "none\n"),
      async test({ hosts, deploy }) {
        const web = hosts.web!;
        const client = hosts.client!;
        const server = await startAcmeServer({ address: web.spec.gateway });
        try {
          for (const name of [site, `www.${site}`, `api.${site}`]) await server.addHost(name, web.address);
          const root = await server.issuingRootPem();
          const fleet = (vhost: Vhost = {}) => webFleet(server, root, vhost);
          const curl = (args: string) =>
            client.succeed(`curl -sS --max-time 5 --resolve ${site}:80:${web.address} --resolve ${site}:443:${web.address} ${args}`);
          const https = (path: string) => curl(`--fail --cacert ${rootCa} https://${site}${path}`);

          const started = Date.now();
          const first = await deploy({ fleet: fleet() });
          const deployed = Date.now();
          // The certificate comes after the deploy, from acme-<cert>.timer: nginx first answers with its placeholder.
          await client
            .waitUntilSucceeds(
              `curl -sf --max-time 5 --cacert ${rootCa} --resolve ${site}:443:${web.address} https://${site}/ >/dev/null`,
              60_000,
            )
            .catch(async (e) => {
              const journal = await web.ssh(`journalctl --no-pager -n 60 -u 'acme-*' -u nginx.service`);
              throw new Error(`${(e as Error).message}\n${journal.stdout}${server.log().slice(-20).join("\n")}`);
            });
          const firstHttps = Date.now();
          const phases = first.find((r) => r.host === "web")!.timings.filter((t) => t.ms >= 500);
          console.log(
            `web's first deploy, phases of 0.5 s or more: ${phases.map((t) => `${t.phase} ${(t.ms / 1000).toFixed(1)} s`).join(", ")}`,
          );
          console.log(
            `deploy ${((deployed - started) / 1000).toFixed(1)} s; first HTTPS 200 ${((firstHttps - started) / 1000).toFixed(1)} s after the deploy started`,
          );

          assert.equal(await https("/"), "backend says hi\n");
          assert.equal(await https("/static/hello.txt"), "static hello\n");
          assert.match(
            await web.succeed(`openssl x509 -in /var/lib/acme/${site}/fullchain.pem -noout -issuer -ext subjectAltName`),
            /Pebble Intermediate[\s\S]*DNS:site\.example\.test, DNS:www\.site\.example\.test/,
          );
          // Without pebble's root the certificate does not verify.
          await client.fail(`curl -sf --max-time 5 --resolve ${site}:443:${web.address} https://${site}/`);
          const headers = await curl(`-D - -o /dev/null --cacert ${rootCa} https://${site}/`);
          assert.match(headers, /^strict-transport-security: max-age=31536000/im);
          assert.match(headers, /^x-content-type-options: nosniff/im);
          assert.match(headers, /^x-frame-options: SAMEORIGIN/im);
          assert.equal(await curl(`-o /dev/null -w '%{http_code} %{redirect_url}' http://${site}/a?b=1`), `301 https://${site}/a?b=1`);

          // The other host reaches SSH, 80 and 443, not the backend that listens on every address.
          for (const port of [22, 80, 443]) await client.succeed(`timeout 3 bash -c 'exec 3<>/dev/tcp/${web.address}/${port}'`);
          await client.fail(`timeout 3 bash -c 'exec 3<>/dev/tcp/${web.address}/8000'`);
          await web.succeed("curl -sf --max-time 5 http://127.0.0.1:8000/ >/dev/null");

          // Idle memory: RSS counts the pages master and workers share once per process, PSS splits them.
          const kb = async (field: string) =>
            (await web.succeed(`for p in $(pgrep -x nginx); do awk '/^${field}:/ {print $2}' /proc/$p/smaps_rollup; done`))
              .trim()
              .split(/\s+/)
              .map(Number);
          const [rss, pss] = [await kb("Rss"), await kb("Pss")];
          const mib = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / 1024).toFixed(1);
          console.log(`nginx idle: ${rss.length} processes, ${mib(rss)} MiB RSS, ${mib(pss)} MiB PSS`);

          const state = async () => ({
            nginx: (await web.succeed("systemctl show -p MainPID -p ActiveEnterTimestamp nginx.service")).trim(),
            backend: (await web.succeed("systemctl show -p MainPID -p ActiveEnterTimestamp backend.service")).trim(),
          });
          const before = await state();

          // A new location: nginx reloads, nothing restarts.
          const changeStarted = Date.now();
          const [changed] = await deploy({
            fleet: fleet({
              locations: {
                "/": { proxyPass: "http://127.0.0.1:8000" },
                "/static/": { alias: "/srv/static/" },
                "= /ping": { return: "200 pong" },
              },
            }),
          });
          assert.deepEqual(changed!.actions.reloaded, ["nginx.service"]);
          assert.deepEqual([...changed!.actions.restarted, ...changed!.actions.started, ...changed!.actions.stopped], []);
          // nginx reloads asynchronously (SIGHUP): the new workers answer a moment after systemctl returns.
          await client.waitUntilSucceeds(
            `curl -sf --max-time 5 --cacert ${rootCa} --resolve ${site}:443:${web.address} https://${site}/ping`,
            10_000,
          );
          console.log(`a virtual host change: deploy to its first answer ${((Date.now() - changeStarted) / 1000).toFixed(1)} s`);
          assert.equal(await https("/ping"), "pong");
          assert.deepEqual(await state(), before);

          // A forced renewal installs a new certificate and reloads nginx, which serves it; nothing restarts.
          const serial = async () =>
            (
              await client.succeed(
                `echo | openssl s_client -connect ${web.address}:443 -servername ${site} 2>/dev/null | openssl x509 -noout -serial`,
              )
            ).trim();
          const served = await serial();
          await web.succeed(
            `REQUESTS_CA_BUNDLE=${pebbleCa} certbot renew --force-renewal --no-random-sleep-on-renew --non-interactive ${certbotDirs}`,
          );
          const deadline = Date.now() + 10_000;
          while ((await serial()) === served && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
          assert.notEqual(await serial(), served);
          assert.equal((await web.succeed(`openssl x509 -in /var/lib/acme/${site}/cert.pem -noout -serial`)).trim(), await serial());
          assert.equal(await https("/"), "backend says hi\n");
          assert.deepEqual(await state(), before);

          // A directive nginx does not know: `nginx -t` fails the reload, the host goes back, the site keeps answering.
          const current = (await web.succeed("readlink /var/lib/roost/current")).trim();
          const [bad] = await deploy({ fleet: fleet({ extraConfig: { no_such_directive: "on" } }), allowFailure: true });
          assert.equal(bad!.status, "failed");
          assert.equal(bad!.rolledBack, true);
          assert.match(
            bad!.error!,
            /reload-or-restart nginx\.service failed: it is active: nginx: configuration file \/etc\/nginx\/roost\.conf test failed/,
          );
          assert.equal((await web.succeed("readlink /var/lib/roost/current")).trim(), current);
          assert.doesNotMatch(await web.succeed("cat /etc/nginx/roost.conf"), /no_such_directive/);
          assert.equal(await https("/"), "backend says hi\n");
          assert.deepEqual(await state(), before);
          // The certificate is not part of any generation: the rollback kept the renewed one.
          assert.equal((await web.succeed(`openssl x509 -in /var/lib/acme/${site}/cert.pem -noout -serial`)).trim(), await serial());

          // Another name: the certificate is asked for again at once and holds all three; nginx only reloads.
          await deploy({ fleet: fleet({ serverAliases: [`www.${site}`, `api.${site}`] }) });
          await client.waitUntilSucceeds(
            `curl -sf --max-time 5 --cacert ${rootCa} --resolve api.${site}:443:${web.address} https://api.${site}/ >/dev/null`,
            30_000,
          );
          assert.match(
            await web.succeed(`openssl x509 -in /var/lib/acme/${site}/cert.pem -noout -ext subjectAltName`),
            /DNS:site\.example\.test, DNS:www\.site\.example\.test, DNS:api\.site\.example\.test/,
          );
          assert.deepEqual(await state(), before);
        } finally {
          await server.close();
        }
      },
    });
  });
});

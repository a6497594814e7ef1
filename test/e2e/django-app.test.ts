import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { defineFleet, defineModule, host, mkForce, type Fleet } from "roost";
import { runScenario, startAcmeServer, startSmtpSink, subjectOf, type AcmeServer, type SmtpSink } from "roost/testing";
import example from "../../examples/django-app/roost.config.ts";
import { packageRoot } from "../../src/package-root.ts";

const app = "request-tracker-utils";
const domain = "rtutils.example.org";
const pebbleCa = "/etc/ssl/pebble-server.pem";
const rootCa = "/etc/ssl/pebble-root.pem";
const exampleHost = example.hosts.rtutils!;

/** A migration that fails, dropped into the app's code beside its real one. */
const brokenMigration = `from django.db import migrations


def fail(apps, schema_editor):
    raise RuntimeError("this migration fails on purpose")


class Migration(migrations.Migration):
    dependencies = [("labels", "0001_initial")]
    operations = [migrations.RunPython(fail)]
`;

interface Lab {
  readonly acme: AcmeServer | null;
  readonly sink: SmtpSink | null;
  readonly root: string;
  /** A copy of the example's code that the test changes (under .roost/, where a fleet may read files). */
  readonly code?: string;
}

/**
 * The example's host as it is, with what only a lab needs on top: pebble as the ACME server, the
 * SMTP sink as the smarthost (no TLS, no login), and the test's changes of the app's options.
 */
function labFleet(lab: Lab, options: Record<string, unknown> = {}, files: Record<string, { text: string }> = {}): Fleet {
  const lab_ = defineModule({
    config: () =>
      ({
        files: { [pebbleCa]: { text: lab.acme?.serverCaPem ?? "none\n" }, ...files },
        security: { acme: { defaults: { server: mkForce(lab.acme?.directoryUrl ?? "https://acme.invalid/dir"), serverCaFile: pebbleCa } } },
        services: {
          mail: {
            smarthost: {
              host: mkForce(lab.sink?.host ?? "smtp.invalid"),
              port: mkForce(lab.sink?.port ?? 25),
              tls: false,
              user: mkForce(null),
              passwordSecret: mkForce(null),
            },
          },
          requestTrackerUtils: Object.fromEntries(Object.entries(options).map(([k, v]) => [k, mkForce(v)])),
          ...(lab.code ? { apps: { [app]: { code: { source: mkForce(lab.code) } } } } : {}),
        },
        deployment: { confirmTimeout: 30 },
      }) as never,
  });
  return defineFleet({
    hosts: {
      rtutils: host({ address: exampleHost.address, modules: [...exampleHost.modules, lab_], config: exampleHost.config as never }),
      client: host({ address: "root@client.invalid", config: { files: { [rootCa]: { text: lab.root } } } }),
    },
  });
}

describe("the Django example (seed 004) on a test host", { timeout: 600_000 }, () => {
  it("deploys behind nginx with HTTPS, reloads without a failed request, restarts only on a port or worker change, and rolls back a failing migration with a mail", async () => {
    await runScenario({
      fleet: labFleet({ acme: null, sink: null, root: "none\n" }),
      async test({ hosts, deploy, secrets }) {
        const web = hosts.rtutils!;
        const client = hosts.client!;
        const acme = await startAcmeServer({ address: web.spec.gateway });
        const sink = await startSmtpSink(web.spec.gateway);
        const code = path.join(packageRoot, ".roost", `e2e-django-${process.pid}`, "app");
        mkdirSync(path.dirname(code), { recursive: true });
        cpSync(fileURLToPath(new URL("../../examples/django-app/app", import.meta.url)), code, { recursive: true });
        try {
          await acme.addHost(domain, web.address);
          const lab: Lab = { acme, sink, root: await acme.issuingRootPem(), code };
          const curl = (args: string) =>
            client.succeed(`curl -sS --max-time 5 --resolve ${domain}:80:${web.address} --resolve ${domain}:443:${web.address} ${args}`);
          const https = (path: string, args = "") => curl(`--fail --cacert ${rootCa} ${args} https://${domain}${path}`);
          const mainPid = async () => (await web.succeed(`systemctl show -p MainPID --value ${app}.service`)).trim();
          const workers = async () => Number((await web.succeed(`ps --no-headers --ppid ${await mainPid()} | wc -l`)).trim());

          // A fresh host: packages, user, code, settings, secrets, migrations, nginx, then the certificate.
          const started = Date.now();
          const [first] = await deploy({ fleet: labFleet(lab), allowFailure: true });
          if (first!.status === "failed")
            assert.fail(`${first!.error}\n${await web.succeed(`journalctl --no-pager -o short-precise -n 80 || true`)}`);
          const deployed = Date.now();
          await client.waitUntilSucceeds(
            `curl -sf --max-time 5 --cacert ${rootCa} --resolve ${domain}:443:${web.address} https://${domain}/ >/dev/null`,
            60_000,
          );
          const firstHttps = Date.now();
          console.log(
            `fresh host: deploy ${((deployed - started) / 1000).toFixed(1)} s, first HTTPS 200 ${((firstHttps - started) / 1000).toFixed(1)} s after the deploy started`,
          );

          // The app answers through nginx with its settings and its database; HTTP redirects.
          const index = await https("/");
          assert.match(index, /^next tag: W12-0001$/m);
          assert.match(index, /^label: 100x62 mm$/m);
          assert.match(index, /^RT: https:\/\/tickets\.wc-12\.com\/REST\/2\.0$/m);
          assert.equal(await https("/labels/next", "-X POST"), "W12-0001\n");
          assert.match(await https("/"), /^labels printed: 1$/m);
          assert.equal(await curl(`-o /dev/null -w '%{http_code} %{redirect_url}' http://${domain}/`), `301 https://${domain}/`);
          assert.match(await web.succeed(`stat -c '%U %a' /var/lib/${app}/database.sqlite`), /^rtutils 640$/m);

          // Static files come from nginx, collected by the app's preStart step; gunicorn never sees them.
          assert.match(await https("/static/labels/label.css"), /\.label \{\n {2}width: 100mm;/);
          const appLog = await web.succeed(`journalctl --no-pager -o cat -u ${app}.service`);
          assert.match(appLog, /"POST \/labels\/next HTTP\/1\.[01]" 200/);
          assert.doesNotMatch(appLog, /GET \/static\//);

          // The secrets reach the app's environment only: not its settings file, not its unit.
          const environ = await web.succeed(`tr '\\0' '\\n' < /proc/${await mainPid()}/environ`);
          assert.match(environ, new RegExp(`^SECRET_KEY=${secrets.values.rtutils_secret_key!}$`, "m"));
          for (const file of [`/etc/${app}/settings.json`, `/etc/systemd/system/${app}.service`])
            assert.doesNotMatch(await web.succeed(`cat ${file}`), new RegExp(secrets.values.rtutils_secret_key!));

          // The other host reaches SSH, 80 and 443, not gunicorn.
          for (const port of [22, 80, 443]) await client.succeed(`timeout 3 bash -c 'exec 3<>/dev/tcp/${web.address}/${port}'`);
          await client.fail(`timeout 3 bash -c 'exec 3<>/dev/tcp/${web.address}/8000'`);
          assert.equal(await workers(), 4);

          const rss = async (selector: string) => (await web.succeed(`ps ${selector} -o rss= | awk '{s+=$1} END {print s}'`)).trim();
          console.log(
            `idle memory: nginx ${Number(await rss("-C nginx")) / 1024} MiB, app ${Number(await rss("-u rtutils")) / 1024} MiB (RSS)`,
          );

          // A change of code and settings under a loop of requests through nginx: gunicorn reloads, 0 requests fail.
          const nginxPid = (await web.succeed("systemctl show -p MainPID --value nginx.service")).trim();
          const pidBefore = await mainPid();
          const loop = client.succeed(
            `ok=0; bad=0; old=0; new=0; end=$((SECONDS+14)); while [ $SECONDS -lt $end ]; do ` +
              `code=$(curl -s -o /tmp/body -w '%{http_code}' --max-time 10 --cacert ${rootCa} --resolve ${domain}:443:${web.address} https://${domain}/); ` +
              `if [ "$code" = 200 ]; then ok=$((ok+1)); else bad=$((bad+1)); echo "failed: $code" >&2; fi; ` +
              `grep -q 'next tag: RT-' /tmp/body && grep -q 'Utils, new code' /tmp/body && new=$((new+1)); ` +
              `grep -q 'next tag: W12-' /tmp/body && old=$((old+1)); ` +
              `done; echo "$ok $bad $old $new"`,
          );
          await new Promise((resolve) => setTimeout(resolve, 1500));
          const views = path.join(code, "labels", "views.py");
          writeFileSync(views, readFileSync(views, "utf8").replace('f"Request Tracker Utils\\n"', 'f"Request Tracker Utils, new code\\n"'));
          assert.match(readFileSync(views, "utf8"), /new code/);
          const settingsStart = Date.now();
          const [reload] = await deploy({ fleet: labFleet(lab, { prefix: "RT-" }) });
          const settingsDeployed = Date.now();
          await client.waitUntilSucceeds(
            `curl -sf --max-time 5 --cacert ${rootCa} --resolve ${domain}:443:${web.address} https://${domain}/ | grep -q 'next tag: RT-0002'`,
            20_000,
          );
          console.log(
            `one-line settings change (with one line of code): deploy ${((settingsDeployed - settingsStart) / 1000).toFixed(1)} s, new settings served ${((Date.now() - settingsStart) / 1000).toFixed(1)} s after it started`,
          );
          const [ok, bad, oldServed, newServed] = (await loop).trim().split(" ").map(Number);
          console.log(
            `requests during the code and settings deploy: ${ok} ok, ${bad} failed (${oldServed} old, ${newServed} new settings)`,
          );
          assert.equal(bad, 0);
          assert.ok(oldServed! > 0 && newServed! > 0, `${oldServed} old and ${newServed} new answers`);
          assert.deepEqual(reload!.actions.reloaded, [`${app}.service`]);
          assert.deepEqual([...reload!.actions.restarted, ...reload!.actions.started, ...reload!.actions.stopped], []);
          assert.equal(await mainPid(), pidBefore);

          // A port change restarts the app alone and reloads nginx, which proxies to the new port.
          const [port] = await deploy({ fleet: labFleet(lab, { prefix: "RT-", port: 8001 }) });
          assert.deepEqual(port!.actions.restarted, [`${app}.service`]);
          assert.deepEqual(port!.actions.reloaded, ["nginx.service"]);
          assert.deepEqual([...port!.actions.started, ...port!.actions.stopped], []);
          assert.equal((await web.succeed("systemctl show -p MainPID --value nginx.service")).trim(), nginxPid);
          await web.succeed("ss -Hltn 'sport = :8001' | grep -q 127.0.0.1:8001");
          await web.fail("ss -Hltn 'sport = :8000' | grep -q 8000");
          assert.match(await web.succeed("cat /etc/nginx/roost.conf"), /proxy_pass http:\/\/127\.0\.0\.1:8001;/);
          assert.match(await https("/"), /^next tag: RT-0002$/m);

          // The worker count shows as gunicorn's worker processes.
          await deploy({ fleet: labFleet(lab, { prefix: "RT-", port: 8001, workers: 2 }) });
          assert.equal(await workers(), 2);

          // A migration that fails: the reload fails, the host goes back, the site keeps answering, a mail goes out.
          const current = (await web.succeed("readlink /var/lib/roost/current")).trim();
          const [broken] = await deploy({
            fleet: labFleet(
              lab,
              { prefix: "BROKEN-", port: 8001, workers: 2 },
              {
                [`/opt/${app}/labels/migrations/0002_broken.py`]: { text: brokenMigration },
              },
            ),
            allowFailure: true,
          });
          assert.equal(broken!.status, "failed");
          assert.equal(broken!.rolledBack, true);
          assert.match(broken!.error!, new RegExp(`reload-or-restart ${app}\\.service failed`));
          assert.equal((await web.succeed("readlink /var/lib/roost/current")).trim(), current);
          await web.fail(`test -e /opt/${app}/labels/migrations/0002_broken.py`);
          assert.match(await https("/"), /^next tag: RT-0002$/m);
          const mail = await sink.waitForMessage((m) => subjectOf(m).includes(`${app}-setup.service failed`));
          assert.deepEqual(mail.to, ["ops@example.org"]);
          assert.match(mail.data, /this migration fails on purpose/);
          assert.doesNotMatch(mail.data, new RegExp(secrets.values.rtutils_secret_key!));
        } finally {
          rmSync(path.dirname(code), { recursive: true, force: true });
          await sink.close();
          await acme.close();
        }
      },
    });
  });
});

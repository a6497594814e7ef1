import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { defineFleet, host } from "roost";
import { acme } from "roost/services/acme";
import { nginx } from "roost/services/nginx";
import { buildHostFrom } from "roost/testing";

const source = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
const lineOf = (text: string) => source.findIndex((l) => l.includes(text)) + 1;
const formatted = (e: unknown) => String((e as { format?: () => string }).format?.() ?? (e as Error).message);

const terms = { acceptTerms: true, defaults: { email: "admin@example.org" } };

describe("security.acme and enableACME", () => {
  it("gives an enableACME host a certificate of its names, a placeholder nginx starts on, and a renewal timer", () => {
    const fleet = defineFleet({
      hosts: {
        web: host({
          address: "root@10.0.0.1",
          modules: [nginx, acme],
          config: {
            security: {
              acme: { ...terms, defaults: { ...terms.defaults, renewInterval: "*-*-* 04:00:00", serverCaFile: "/etc/ssl/ca.pem" } },
            },
            services: {
              nginx: {
                enable: true,
                virtualHosts: { "example.org": { serverAliases: ["www.example.org"], forceSSL: true, enableACME: true } },
              },
            },
          },
        }),
      },
    });
    const built = buildHostFrom(fleet, "web");
    assert.deepEqual(built.config.security.acme.certs["example.org"].extraDomainNames, ["www.example.org"]);
    const conf = built.file("/etc/nginx/roost.conf");
    assert.match(
      conf,
      /ssl_certificate \/var\/lib\/acme\/example\.org\/fullchain\.pem;\n\s+ssl_certificate_key \/var\/lib\/acme\/example\.org\/key\.pem;/,
    );
    // The challenge stays on HTTP beside the redirect.
    assert.match(
      conf,
      /listen 0\.0\.0\.0:80;\n\s+listen \[::\]:80;\n\s+server_name example\.org www\.example\.org;\n\n\s+location \/\.well-known\/acme-challenge\/ \{\n\s+root \/var\/lib\/acme\/acme-challenge;\n\s+auth_basic off;\n\s+\}\n\n\s+location \/ \{\n\s+return 301 https:\/\/\$host\$request_uri;/,
    );

    const service = built.file("/etc/systemd/system/acme-example.org.service");
    const exec = /^ExecStart=(.*)$/m.exec(service)![1]!;
    assert.equal(
      exec,
      "/usr/bin/flock /run/lock/roost-certbot.lock /usr/bin/certbot certonly --non-interactive --agree-tos --no-eff-email --email admin@example.org --server https://acme-v02.api.letsencrypt.org/directory " +
        "--config-dir /var/lib/acme/.certbot/config --work-dir /var/lib/acme/.certbot/work --logs-dir /var/lib/acme/.certbot/logs " +
        "--cert-name example.org --webroot --webroot-path /var/lib/acme/acme-challenge -d example.org -d www.example.org --keep-until-expiring --no-random-sleep-on-renew " +
        '--deploy-hook "/usr/local/lib/acme/install-cert /var/lib/acme/.certbot/config/live/example.org /var/lib/acme/example.org root nginx.service"',
    );
    assert.match(
      service,
      /^ExecStartPost=\/usr\/local\/lib\/acme\/install-cert \/var\/lib\/acme\/\.certbot\/config\/live\/example\.org \/var\/lib\/acme\/example\.org root nginx\.service$/m,
    );
    assert.match(service, /^Environment="REQUESTS_CA_BUNDLE=\/etc\/ssl\/ca\.pem"$/m);
    assert.doesNotMatch(service, /\[Install\]\nWantedBy/);
    const timer = built.file("/etc/systemd/system/acme-example.org.timer");
    assert.match(timer, /^OnActiveSec=1$/m);
    assert.match(timer, /^OnCalendar=\*-\*-\* 04:00:00$/m);
    assert.match(
      built.file("/etc/systemd/system/acme-selfsigned-example.org.service"),
      /^ExecStart=\/usr\/local\/lib\/acme\/placeholder-cert \/var\/lib\/acme\/example\.org root example\.org$/m,
    );
    const nginxUnit = built.file("/etc/systemd/system/nginx.service");
    assert.match(nginxUnit, /^After=acme-selfsigned-example\.org\.service$/m);
    assert.match(nginxUnit, /^Wants=acme-selfsigned-example\.org\.service$/m);
    assert.ok(built.manifest.packages.includes("certbot"));
    // Nothing under /var/lib/acme belongs to a generation: certificates and the account outlive rollbacks.
    assert.deepEqual(
      built.paths.filter((p) => p.startsWith("/var/lib/acme")),
      [],
    );
  });

  it("asks again at once when a certificate's names change: its timer restarts", () => {
    const build = (aliases: string[]) =>
      buildHostFrom(
        defineFleet({
          hosts: {
            web: host({
              address: "root@10.0.0.1",
              modules: [nginx, acme],
              config: {
                security: { acme: terms },
                services: {
                  nginx: { enable: true, virtualHosts: { "example.org": { serverAliases: aliases, forceSSL: true, enableACME: true } } },
                },
              },
            }),
          },
        }),
        "web",
      ).manifest.units["acme-example.org.timer"]!.sha256;
    assert.equal(build(["www.example.org"]), build(["www.example.org"]));
    assert.notEqual(build(["www.example.org"]), build(["www.example.org", "api.example.org"]));
  });

  it("shares one certificate between hosts with useACMEHost, and reloads the services a certificate names", () => {
    const fleet = defineFleet({
      hosts: {
        web: host({
          address: "root@10.0.0.1",
          modules: [nginx, acme],
          config: {
            security: {
              acme: {
                ...terms,
                certs: { "example.org": { extraDomainNames: ["api.example.org"], group: "www-data", reloadServices: ["postfix.service"] } },
              },
            },
            services: { nginx: { enable: true, virtualHosts: { "api.example.org": { onlySSL: true, useACMEHost: "example.org" } } } },
          },
        }),
      },
    });
    const built = buildHostFrom(fleet, "web");
    assert.match(built.file("/etc/nginx/roost.conf"), /ssl_certificate \/var\/lib\/acme\/example\.org\/fullchain\.pem;/);
    assert.doesNotMatch(built.file("/etc/nginx/roost.conf"), /acme-challenge/);
    assert.match(built.file("/etc/systemd/system/acme-example.org.service"), /-d example\.org -d api\.example\.org /);
    assert.match(
      built.file("/etc/systemd/system/acme-example.org.service"),
      /install-cert \S+ \/var\/lib\/acme\/example\.org www-data postfix\.service$/m,
    );
    assert.match(built.file("/etc/systemd/system/nginx.service"), /^Wants=acme-selfsigned-example\.org\.service$/m);
  });

  it("adds nothing without certificates", () => {
    const built = buildHostFrom(
      defineFleet({
        hosts: { web: host({ address: "root@10.0.0.1", modules: [nginx, acme], config: { services: { nginx: { enable: true } } } }) },
      }),
      "web",
    );
    assert.ok(!built.manifest.packages.includes("certbot"));
    assert.ok(!built.paths.some((p) => p.includes("acme")));
  });

  it("refuses enableACME without accepted terms and an e-mail address, naming the host's line", () => {
    const fleet = defineFleet({
      hosts: {
        web: host({
          address: "root@10.0.0.1",
          modules: [nginx, acme],
          config: { services: { nginx: { enable: true, virtualHosts: { "example.org": { forceSSL: true, enableACME: true } } } } },
        }),
      },
    });
    assert.throws(
      () => buildHostFrom(fleet, "web"),
      (e) => {
        const text = formatted(e);
        assert.match(text, /services\.nginx\.virtualHosts\."example\.org"\.enableACME: set security\.acme\.acceptTerms = true/);
        assert.match(text, /services\.nginx\.virtualHosts\."example\.org"\.enableACME: set security\.acme\.defaults\.email/);
        assert.match(
          text,
          new RegExp(
            `enableACME: defined at src/services/acme/index\\.test\\.ts:${lineOf('"example.org": { forceSSL: true, enableACME: true } } } } },')}:`,
          ),
        );
        return true;
      },
    );
  });

  it("refuses useACMEHost naming a certificate that is not declared", () => {
    const fleet = defineFleet({
      hosts: {
        web: host({
          address: "root@10.0.0.1",
          modules: [nginx, acme],
          config: {
            security: { acme: terms },
            services: { nginx: { enable: true, virtualHosts: { a: { addSSL: true, useACMEHost: "nope.example" } } } },
          },
        }),
      },
    });
    assert.throws(
      () => buildHostFrom(fleet, "web"),
      (e) => {
        const text = formatted(e);
        assert.match(
          text,
          /services\.nginx\.virtualHosts\.a\.useACMEHost: there is no security\.acme\.certs\."nope\.example" \(certificates: none\)/,
        );
        assert.match(text, new RegExp(`index\\.test\\.ts:${lineOf('useACMEHost: "nope.example"')}:`));
        return true;
      },
    );
  });

  it("refuses a name that cannot be on an HTTP-01 certificate", () => {
    const fleet = defineFleet({
      hosts: {
        web: host({
          address: "root@10.0.0.1",
          modules: [nginx, acme],
          config: {
            security: { acme: terms },
            services: { nginx: { enable: true, virtualHosts: { wild: { serverName: "*.example.org", enableACME: true, addSSL: true } } } },
          },
        }),
      },
    });
    assert.throws(
      () => buildHostFrom(fleet, "web"),
      (e) => {
        const text = formatted(e);
        assert.match(text, /services\.nginx\.virtualHosts\.wild\.enableACME: "\*\.example\.org" cannot be on an HTTP-01 certificate/);
        assert.match(text, new RegExp(`index\\.test\\.ts:${lineOf('serverName: "*.example.org"')}:`));
        return true;
      },
    );
  });
});

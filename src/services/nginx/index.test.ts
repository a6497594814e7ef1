import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { defineFleet, host } from "roost";
import { nginx } from "roost/services/nginx";
import { buildHostFrom } from "roost/testing";

const conf = "/etc/nginx/roost.conf";
const unit = "/etc/systemd/system/nginx.service";

type Config = Parameters<typeof host>[0]["config"];
const web = (config: Config) =>
  buildHostFrom(defineFleet({ hosts: { web: host({ address: "root@10.0.0.1", modules: [nginx], config }) } }), "web");

/** The text of one server block of nginx.conf: the one whose server_name line matches. */
function server(text: string, serverName: string, port: 80 | 443): string {
  const blocks = text.split(/\n {4}server \{\n/).slice(1);
  const found = blocks.find((b) => b.includes(`server_name ${serverName};`) && b.includes(`listen 0.0.0.0:${port}`));
  assert.ok(found, `no server ${serverName} on ${port} in\n${text}`);
  return found.split(/\n {4}\}\n/)[0]!;
}

const source = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
const lineOf = (text: string) => source.findIndex((l) => l.includes(text)) + 1;

const app = { port: 8000, address: "127.0.0.1" };

describe("services.nginx", () => {
  it("adds nothing until enabled", () => {
    const built = web({});
    assert.ok(!built.paths.includes(unit));
    assert.ok(!built.manifest.packages.includes("nginx"));
  });

  it("runs Debian's nginx from its own unit and file, tested before start and before each reload", () => {
    const built = web({ services: { nginx: { enable: true } } });
    assert.ok(built.manifest.packages.includes("nginx"));
    const text = built.file(unit);
    assert.match(text, /^ExecStartPre=\/usr\/sbin\/nginx -t -q -c \/etc\/nginx\/roost\.conf$/m);
    assert.match(text, /^ExecStart=\/usr\/sbin\/nginx -c \/etc\/nginx\/roost\.conf$/m);
    assert.match(
      text,
      /^ExecReload=\/usr\/sbin\/nginx -t -q -c \/etc\/nginx\/roost\.conf\nExecReload=\/usr\/sbin\/nginx -c \/etc\/nginx\/roost\.conf -s reload$/m,
    );
    assert.match(text, /^ExecStop=-\/sbin\/start-stop-daemon --quiet --stop --retry QUIT\/5 --pidfile \/run\/nginx\.pid$/m);
    assert.match(text, /^ProtectSystem=full$/m);
    assert.match(text, /^NoNewPrivileges=yes$/m);
    assert.match(built.file(conf), /^pid \/run\/nginx\.pid;$/m);
    assert.doesNotMatch(built.file(conf), /sites-enabled/);
    assert.deepEqual(built.manifest.healthChecks.nginx, {
      type: "http",
      url: "http://localhost/nginx_status",
      expectStatus: 200,
      expectBody: "Active connections",
      timeout: 30,
    });
  });

  it("reloads, and does not restart, when only the configuration changes", () => {
    const a = web({ services: { nginx: { enable: true, virtualHosts: { "a.example": { root: "/srv/a" } } } } });
    const b = web({ services: { nginx: { enable: true, virtualHosts: { "a.example": { root: "/srv/b" } } } } });
    assert.notEqual(a.file(conf), b.file(conf));
    assert.equal(a.file(unit), b.file(unit));
    const units = (x: typeof a) => x.manifest.units["nginx.service"]!;
    assert.equal(units(a).sha256, units(b).sha256);
    assert.notEqual(units(a).reload, units(b).reload);
  });

  it("proxies with the recommended headers and websockets, serves an alias, and redirects HTTP to HTTPS with forceSSL", () => {
    const built = web({
      networking: { ports: { app } },
      services: {
        nginx: {
          enable: true,
          virtualHosts: {
            "example.org": {
              serverAliases: ["www.example.org"],
              forceSSL: true,
              sslCertificate: "/etc/ssl/example.pem",
              sslCertificateKey: "/etc/ssl/example.key",
              locations: {
                "/": { proxyPass: "http://127.0.0.1:8000", proxyWebsockets: true },
                "/static/": { alias: "/var/lib/app/static/" },
                "= /ping": { return: "200 pong pong" },
              },
            },
          },
        },
      },
    });
    const text = built.file(conf);
    const https = server(text, "example.org www.example.org", 443);
    assert.match(https, /listen 0\.0\.0\.0:443 ssl http2;\n\s+listen \[::\]:443 ssl http2;/);
    assert.match(https, /ssl_certificate \/etc\/ssl\/example\.pem;\n\s+ssl_certificate_key \/etc\/ssl\/example\.key;/);
    assert.match(https, /add_header Strict-Transport-Security max-age=31536000 always;/);
    assert.match(https, /add_header X-Content-Type-Options nosniff always;/);
    assert.match(https, /add_header X-Frame-Options SAMEORIGIN always;/);
    assert.match(https, /add_header Referrer-Policy strict-origin-when-cross-origin always;/);
    assert.match(
      https,
      /location \/ \{\n\s+proxy_pass http:\/\/127\.0\.0\.1:8000;\n\s+proxy_http_version 1\.1;\n\s+proxy_set_header Host \$host;\n\s+proxy_set_header X-Real-IP \$remote_addr;\n\s+proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;\n\s+proxy_set_header X-Forwarded-Proto \$scheme;\n\s+proxy_set_header X-Forwarded-Host \$host;\n\s+proxy_set_header Upgrade \$http_upgrade;\n\s+proxy_set_header Connection \$connection_upgrade;\n\s+\}/,
    );
    assert.match(https, /location \/static\/ \{\n\s+alias \/var\/lib\/app\/static\/;\n\s+\}/);
    assert.match(https, /location = \/ping \{\n\s+return 200 'pong pong';\n\s+\}/);
    const http = server(text, "example.org www.example.org", 80);
    assert.match(http, /location \/ \{\n\s+return 301 https:\/\/\$host\$request_uri;\n\s+\}/);
    assert.doesNotMatch(http, /proxy_pass/);
    assert.deepEqual(built.config.networking.firewall.allowedTCPPorts, [80, 443]);
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(built.config.networking.ports).map(([k, v]) => [
          k,
          [(v as { address: string }).address, (v as { port: number }).port],
        ]),
      ),
      { app: ["127.0.0.1", 8000], "nginx-80": ["::", 80], "nginx-443": ["::", 443] },
    );
  });

  it("opens only the ports its virtual hosts serve beyond the host: 80 without SSL, nothing with openFirewall false", () => {
    assert.deepEqual(
      web({ services: { nginx: { enable: true, virtualHosts: { a: { root: "/srv/a" } } } } }).config.networking.firewall.allowedTCPPorts,
      [80],
    );
    assert.deepEqual(
      web({ services: { nginx: { enable: true, openFirewall: false, virtualHosts: { a: { root: "/srv/a" } } } } }).config.networking
        .firewall.allowedTCPPorts,
      [],
    );
    // nginx as a local proxy only (no virtual host, or one on loopback) opens nothing.
    assert.deepEqual(web({ services: { nginx: { enable: true } } }).config.networking.firewall.allowedTCPPorts, []);
    assert.deepEqual(
      web({ services: { nginx: { enable: true, virtualHosts: { local: { root: "/srv/l", listenAddresses: ["127.0.0.1"] } } } } }).config
        .networking.firewall.allowedTCPPorts,
      [],
    );
  });

  it("proxies to a unix socket without a port check, and writes extraConfig and the global body size through the nginx format", () => {
    const built = web({
      services: {
        nginx: {
          enable: true,
          clientMaxBodySize: "50m",
          appendHttpConfig: { log_format: [["short", "$remote_addr $status"]] },
          virtualHosts: {
            app: {
              serverName: "app.example.org",
              clientMaxBodySize: "1g",
              extraConfig: { access_log: [["/var/log/nginx/app.log", "short"]] },
              locations: {
                "/": {
                  proxyPass: "http://unix:/run/app/app.sock",
                  recommendedProxySettings: false,
                  extraConfig: { proxy_read_timeout: "300s", add_header: [["X-Note", "it's; {here}"]] },
                },
                "/files/": { root: "/srv", tryFiles: "$uri $uri/ =404", index: "index.html index.htm" },
              },
            },
          },
        },
      },
    });
    const text = built.file(conf);
    assert.match(text, /^ {4}client_max_body_size 50m;$/m);
    assert.match(text, /^ {4}log_format short '\$remote_addr \$status';$/m);
    const http = server(text, "app.example.org", 80);
    assert.match(http, /client_max_body_size 1g;/);
    assert.match(http, /access_log \/var\/log\/nginx\/app\.log short;/);
    assert.match(
      http,
      /location \/ \{\n\s+proxy_pass http:\/\/unix:\/run\/app\/app\.sock;\n\s+add_header X-Note 'it\\'s; \{here\}';\n\s+proxy_read_timeout 300s;\n\s+\}/,
    );
    assert.match(http, /location \/files\/ \{\n\s+root \/srv;\n\s+index index\.html index\.htm;\n\s+try_files \$uri \$uri\/ =404;\n\s+\}/);
    assert.doesNotMatch(http, /Strict-Transport-Security/);
  });

  it("refuses a local upstream no service listens on, naming the option and its line", () => {
    const fleet = defineFleet({
      hosts: {
        web: host({
          address: "root@10.0.0.1",
          modules: [nginx],
          config: {
            networking: { ports: { app } },
            services: {
              nginx: { enable: true, virtualHosts: { "a.example": { locations: { "/": { proxyPass: "http://127.0.0.1:8001" } } } } },
            },
          },
        }),
      },
    });
    assert.throws(
      () => buildHostFrom(fleet, "web"),
      (e: Error) => {
        const text = String((e as { format?: () => string }).format?.() ?? e.message);
        assert.match(
          text,
          /services\.nginx\.virtualHosts\."a\.example"\.locations\."\/"\.proxyPass: nothing on this host listens on 127\.0\.0\.1:8001/,
        );
        assert.match(text, /proxyPass: defined at src\/services\/nginx\/index\.test\.ts:\d+:\d+/);
        assert.equal(/index\.test\.ts:(\d+):/.exec(text)![1], String(lineOf('proxyPass: "http://127.0.0.1:8001"')));
        return true;
      },
    );
    // localhost reaches a listener on either loopback; a unix socket or another host is not checked.
    for (const proxyPass of ["http://localhost:8000", "http://unix:/run/x.sock", "http://10.0.0.9:8001"])
      web({
        networking: { ports: { app } },
        services: { nginx: { enable: true, virtualHosts: { a: { locations: { "/": { proxyPass } } } } } },
      });
  });

  it("refuses a server name that is not a DNS name, and an SSL host without a certificate", () => {
    assert.throws(
      () =>
        web({
          services: { nginx: { enable: true, virtualHosts: { "bad_name!": { root: "/srv" }, ok: { serverAliases: ["-x.example"] } } } },
        }),
      (e: Error) => {
        const text = String((e as { format?: () => string }).format?.() ?? e.message);
        assert.match(text, /server name "bad_name!" is not a DNS name/);
        assert.match(text, /server name "-x\.example" is not a DNS name/);
        assert.match(text, /services\.nginx\.virtualHosts\.ok\.serverAliases/);
        assert.match(text, /index\.test\.ts:\d+:/);
        return true;
      },
    );
    assert.throws(
      () => web({ services: { nginx: { enable: true, virtualHosts: { a: { addSSL: true } } } } }),
      /serves SSL but has no sslCertificate/,
    );
    assert.throws(
      () => web({ services: { nginx: { enable: true, virtualHosts: { a: { addSSL: true, forceSSL: true } } } } }),
      /set at most one of forceSSL, addSSL and onlySSL/,
    );
  });

  it("refuses a proxyPass that would end the directive", () => {
    assert.throws(
      () =>
        web({ services: { nginx: { enable: true, virtualHosts: { a: { locations: { "/": { proxyPass: "http://x; return 200" } } } } } } }),
      /locations\."\/"\.proxyPass: expected null or proxy URL/,
    );
  });
});

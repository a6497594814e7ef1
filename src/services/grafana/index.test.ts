import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { defineFleet, host, secret } from "roost";
import { acme } from "roost/services/acme";
import { apps } from "roost/services/app";
import { monitoring } from "roost/services/monitoring";
import { buildHostFrom } from "roost/testing";
import { parse } from "yaml";
import { loki } from "roost/services/loki";
import { dashboardProviderFile, datasourcesFile, grafana, iniFile } from "./index.ts";

const goldenDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../test/golden/grafana");
const pkg = {
  url: "https://dl.grafana.com/oss/release/grafana-11.3.0.linux-amd64.tar.gz",
  sha256: "1f0e6b7b1ef8b1d5f0b4c4a8a5e0e4d1c2b3a49876543210fedcba9876543210",
};

function fleet(extra: Record<string, unknown> = {}, lokiConfig: Record<string, unknown> = { enable: false }) {
  return defineFleet({
    modules: [monitoring],
    hosts: {
      mon: host({
        address: "root@10.0.0.1",
        modules: [monitoring, grafana, acme, loki],
        config: {
          security: { acme: { acceptTerms: true, defaults: { email: "ops@example.org" } } },
          monitoring: {
            server: {
              enable: true,
              domain: "metrics.example.org",
              mail: { to: ["ops@example.org"], from: "a@example.org", smarthost: "smtp.example.org:587" },
            },
          },
          services: { grafana: { enable: true, domain: "grafana.example.org", package: pkg, ...extra }, loki: lokiConfig },
        },
      }),
      web: host({
        address: "root@10.0.0.2",
        modules: [monitoring, apps, loki],
        config: {
          services: { apps: { shop: { command: ["/usr/bin/node", "server.js"], port: 8000, host: "0.0.0.0", metricsPath: "/metrics" } } },
        },
      }),
    },
  });
}

function golden(name: string, text: string) {
  const file = path.join(goldenDir, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  assert.equal(text, readFileSync(file, "utf8"));
}

describe("services.grafana", () => {
  const built = buildHostFrom(fleet(), "mon");

  it("writes grafana.ini and the provisioning files as their golden copies", () => {
    golden("grafana.ini", built.file(iniFile));
    golden("datasources.yaml", built.file(datasourcesFile));
    golden("dashboards.yaml", built.file(dashboardProviderFile));
  });

  it("listens on 127.0.0.1 behind nginx, with the admin password from a secret file, never a literal", () => {
    const ini = built.file(iniFile);
    assert.match(ini, /^http_addr ?= ?127\.0\.0\.1$/m);
    assert.doesNotMatch(ini, /admin_password/);
    const unit = built.file("/etc/systemd/system/grafana.service");
    assert.match(unit, /GF_SECURITY_ADMIN_PASSWORD__FILE=\/run\/roost\/secrets\/grafana-admin-password/);
    assert.deepEqual(built.config.secrets["grafana-admin-password"]?.secret, secret("grafana_admin_password"));
    assert.ok(built.config.services.nginx.virtualHosts["grafana.example.org"]?.forceSSL);
  });

  it("downloads the tarball it was given, pinned by its sha256", () => {
    assert.equal(built.config.files["/opt/roost-downloads/grafana-linux-amd64.tar.gz"]?.sha256, pkg.sha256);
  });

  it("provisions the monitoring server's metrics and Alertmanager, and the fleet's dashboards with the apps of other hosts", () => {
    const ds = parse(built.file(datasourcesFile)) as { datasources: { uid: string; url: string }[] };
    assert.deepEqual(
      ds.datasources.map((d) => [d.uid, d.url]),
      [
        ["roost-metrics", "http://127.0.0.1:8428"],
        ["roost-alertmanager", "http://127.0.0.1:9093"],
      ],
    );
    for (const f of ["roost-system", "roost-systemd", "roost-backups", "roost-app-shop"]) {
      assert.equal((JSON.parse(built.file(`/etc/grafana/dashboards/${f}.json`)) as { uid: string }).uid, f);
    }
  });

  it("reads Loki, when this host runs it, across every host's tenant", () => {
    const withLoki = buildHostFrom(
      fleet(
        {},
        {
          enable: true,
          retention: 7 * 86400,
          package: { url: "https://github.com/grafana/loki/releases/download/v3.2.1/loki-linux-amd64.zip", sha256: pkg.sha256 },
        },
      ),
      "mon",
    );
    golden("datasources-loki.yaml", withLoki.file(datasourcesFile));
    const logs = (parse(withLoki.file(datasourcesFile)) as { datasources: Record<string, unknown>[] }).datasources.find(
      (d) => d.uid === "roost-logs",
    );
    assert.deepEqual(logs?.secureJsonData, { httpHeaderValue1: "mon|web" });
  });

  it("a port change moves exactly the http_port line of grafana.ini", () => {
    const before = built.file(iniFile).split("\n");
    const after = buildHostFrom(fleet({ port: 3001 }), "mon")
      .file(iniFile)
      .split("\n");
    assert.equal(before.length, after.length);
    const changed = before.flatMap((l, i) => (l === after[i] ? [] : [[l, after[i]]]));
    assert.deepEqual(changed, [["http_port = 3000", "http_port = 3001"]]);
  });

  it("refuses a package without a sha256", () => {
    assert.throws(() => buildHostFrom(fleet({ package: { url: pkg.url } }), "mon"), /services\.grafana\.package\.sha256/);
  });
});

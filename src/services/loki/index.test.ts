import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { defineFleet, host } from "roost";
import { acme } from "roost/services/acme";
import { monitoring } from "roost/services/monitoring";
import { buildHostFrom } from "roost/testing";
import { parse } from "yaml";
import { loki, lokiFile, promtailFile } from "./index.ts";

const goldenDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../test/golden/loki");
const release = (name: string) => ({
  url: `https://github.com/grafana/loki/releases/download/v3.2.1/${name}-linux-amd64.zip`,
  sha256: "5d2b1f0e6b7b1ef8b1d5f0b4c4a8a5e0e4d1c2b3a49876543210fedcba987654",
});
const promtail = { enable: true, package: release("promtail") };

function fleet(lokiExtra: Record<string, unknown> = {}) {
  return defineFleet({
    modules: [monitoring, loki],
    hosts: {
      mon: host({
        address: "root@10.0.0.1",
        modules: [monitoring, loki, acme],
        config: {
          networking: { addresses: ["10.0.0.1"] },
          security: { acme: { acceptTerms: true, defaults: { email: "ops@example.org" } } },
          monitoring: {
            server: {
              enable: true,
              domain: "metrics.example.org",
              mail: { to: ["ops@example.org"], from: "a@example.org", smarthost: "smtp.example.org:587" },
            },
          },
          services: { loki: { enable: true, package: release("loki"), retention: 31 * 86400, ...lokiExtra }, promtail },
        },
      }),
      web: host({ address: "root@10.0.0.2", modules: [monitoring, loki], config: { services: { promtail } } }),
    },
  });
}

function golden(name: string, text: string) {
  const file = path.join(goldenDir, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  assert.equal(text, readFileSync(file, "utf8"));
}

describe("services.loki and services.promtail", () => {
  const mon = buildHostFrom(fleet(), "mon");
  const web = buildHostFrom(fleet(), "web");

  it("writes loki.yaml and promtail.yaml as their golden copies", () => {
    golden("loki.yaml", mon.file(lokiFile));
    golden("promtail-web.yaml", web.file(promtailFile));
  });

  it("Loki keeps lines for the retention, enforced by the compactor, per tenant, on 127.0.0.1", () => {
    const c = parse(mon.file(lokiFile));
    assert.equal(c.auth_enabled, true);
    assert.equal(c.limits_config.retention_period, "744h");
    assert.equal(c.compactor.retention_enabled, true);
    assert.equal(c.server.http_listen_address, "127.0.0.1");
    assert.equal(c.querier.multi_tenant_queries_enabled, true);
  });

  it("the push goes through the monitoring endpoint's token map, and the tenant is the token's host", () => {
    const conf = mon.file("/etc/nginx/roost.conf");
    assert.match(conf, /location = \/loki\/api\/v1\/push \{[^}]*if \(\$monitoring_token_unknown\) \{\s*return 401;/);
    assert.match(conf, /proxy_set_header X-Scope-OrgID \$monitoring_host;/);
  });

  it("Promtail reads the journal with host and unit labels and pushes with the host's monitoring token", () => {
    const c = parse(web.file(promtailFile));
    assert.equal(c.clients[0].url, "https://metrics.example.org/loki/api/v1/push");
    assert.equal(c.clients[0].bearer_token_file, "/run/roost/secrets/promtail-token");
    assert.deepEqual(c.clients[0].external_labels, { host: "web" });
    const relabel = c.scrape_configs[0].relabel_configs.map((r: { target_label: string }) => r.target_label);
    assert.ok(relabel.includes("unit") && relabel.includes("container"));
    assert.deepEqual(web.config.secrets["promtail-token"]?.secret, web.config.monitoring.agent.tokenSecret);
  });

  it("names the binaries' checks as validators", () => {
    assert.deepEqual(mon.config.validators.loki?.command, ["loki", "-verify-config", "-config.file=etc/loki/loki.yaml"]);
    assert.deepEqual(web.config.validators.promtail?.command, ["promtail", "-check-syntax", "-config.file=etc/promtail/promtail.yaml"]);
  });

  it("refuses Loki without a retention, and a retention that is not whole days", () => {
    assert.throws(() => buildHostFrom(fleet({ retention: undefined }), "mon"), /services\.loki\.retention/);
    assert.throws(() => buildHostFrom(fleet({ retention: 3600 }), "mon"), /services\.loki\.retention: Loki deletes by whole days/);
  });
});

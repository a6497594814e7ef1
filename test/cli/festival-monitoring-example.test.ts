import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host } from "roost";
import { acme } from "roost/services/acme";
import { monitoring } from "roost/services/monitoring";
import { buildHostFrom } from "roost/testing";
import { parse } from "yaml";
import { festivalMonitoring } from "../../examples/festival-monitoring/modules/monitoring.ts";
import { runRoost } from "./run-roost.ts";

// Seed 001's switch: the example passes `roost check` as written (Loki unpinned: a warning), and with
// every release pinned the switch composes Prometheus, Alertmanager, Grafana, Loki and Promtail.
const pin = (name: string) => ({
  url: `https://github.com/grafana/loki/releases/download/v3.2.1/${name}-linux-amd64.zip`,
  sha256: "5d2b1f0e6b7b1ef8b1d5f0b4c4a8a5e0e4d1c2b3a49876543210fedcba987654",
});

describe("examples/festival-monitoring", () => {
  it("passes roost check, warning that no logs are collected until Loki is pinned", () => {
    const run = runRoost(["check", "-c", "examples/festival-monitoring/roost.config.ts"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /lokiRelease and promtailRelease are not set/);
  });

  it("with Loki and Promtail pinned, one switch runs the whole stack in order", () => {
    const fleet = defineFleet({
      modules: [festivalMonitoring],
      hosts: {
        festival: host({
          address: "root@10.0.0.1",
          modules: [festivalMonitoring, monitoring, acme],
          config: {
            networking: { addresses: ["10.0.0.1"] },
            security: { acme: { acceptTerms: true, defaults: { email: "ops@example.org" } } },
            monitoring: { server: { mail: { to: ["ops@example.org"], from: "a@example.org", smarthost: "smtp.example.org:587" } } },
            zugvoegel: {
              services: {
                monitoring: {
                  enable: true,
                  metricsDomain: "metrics.example.org",
                  grafanaDomain: "grafana.example.org",
                  grafanaRelease: {
                    url: "https://dl.grafana.com/enterprise/release/grafana-enterprise-11.2.0.linux-amd64.tar.gz",
                    sha256: "c441f869b7ea70559778bb31b603810e79f36aee26755be404368b3063b4825a",
                  },
                  lokiRelease: pin("loki"),
                  promtailRelease: pin("promtail"),
                },
              },
            },
          },
        }),
      },
    });
    const built = buildHostFrom(fleet, "festival");
    for (const unit of ["prometheus", "prometheus-alertmanager", "grafana", "loki", "promtail", "vmagent"]) {
      assert.ok(built.paths.includes(`/etc/systemd/system/${unit}.service`), unit);
    }
    assert.match(built.file("/etc/systemd/system/grafana.service"), /^After=.*loki\.service/m);
    const ds = parse(built.file("/etc/grafana/provisioning/datasources/roost.yaml")) as { datasources: { uid: string; url: string }[] };
    assert.deepEqual(
      ds.datasources.map((d) => [d.uid, d.url]),
      [
        ["roost-metrics", "http://127.0.0.1:9090"],
        ["roost-logs", "http://127.0.0.1:3100"],
        ["roost-alertmanager", "http://127.0.0.1:9093"],
      ],
    );
    assert.deepEqual(Object.keys(built.config.monitoring.scrapeTargets).sort(), ["audio-transcriber", "grafana", "loki", "node"]);
    assert.equal(parse(built.file("/etc/promtail/promtail.yaml")).clients[0].url, "https://metrics.example.org/loki/api/v1/push");
  });
});

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { defineFleet, host } from "roost";
import { promqlProblem } from "roost/services/monitoring";
import { buildHostFrom } from "roost/testing";
import { appDashboard, fleetDashboards, metricsApps } from "./index.ts";

const goldenDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../test/golden/dashboards");
const fleet = {
  web: { config: { services: { apps: { shop: { metricsPath: "/metrics" }, docs: { metricsPath: null } } } } },
  db: { config: { services: {} } },
};

function exprs(d: unknown): string[] {
  const panels = (d as { panels?: { targets?: { expr?: string }[] }[] }).panels ?? [];
  return panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ""));
}

describe("dashboards", () => {
  const all = fleetDashboards(fleet);

  it("are the fixed ones plus one per app with a metrics path, apps read leniently", () => {
    assert.deepEqual(Object.keys(all).sort(), ["roost-app-shop.json", "roost-backups.json", "roost-system.json", "roost-systemd.json"]);
    assert.deepEqual(metricsApps({}), []);
    assert.deepEqual(metricsApps({ services: { apps: { x: {} } } }), []);
  });

  it("reads a built host without the app module (whose config has no services.apps) as one without apps", () => {
    const plain = buildHostFrom(defineFleet({ hosts: { box: host({ address: "root@box.invalid" }) } }), "box");
    assert.deepEqual(metricsApps(plain.config), []);
    assert.deepEqual(Object.keys(fleetDashboards({ box: { config: plain.config } })).sort(), [
      "roost-backups.json",
      "roost-system.json",
      "roost-systemd.json",
    ]);
  });

  it("every target's expression parses as PromQL and reads the provisioned metrics datasource", () => {
    let count = 0;
    for (const [file, d] of Object.entries(all)) {
      for (const e of exprs(d)) {
        assert.equal(promqlProblem(e), null, `${file}: ${e}`);
        count++;
      }
      for (const p of d.panels ?? [])
        assert.deepEqual((p as { datasource?: unknown }).datasource, { type: "prometheus", uid: "roost-metrics" });
    }
    assert.ok(count >= 14, `only ${count} queries`);
  });

  it("an app name that would break PromQL is refused when the dashboard is built", () => {
    assert.throws(() => appDashboard('x"}'), /is not PromQL/);
  });

  it("system overview covers CPU, memory, disk, network and uptime; backups the age of the last success", () => {
    const titles = (f: string) => (all[f]!.panels ?? []).map((p) => (p as { title?: string }).title);
    assert.deepEqual(titles("roost-system.json"), ["CPU busy", "Memory used", "Disk used", "Network", "Uptime"]);
    assert.ok(exprs(all["roost-backups.json"]).some((e) => e.includes("time() - (restic_last_success_timestamp_seconds")));
    assert.ok(exprs(all["roost-systemd.json"]).some((e) => e.includes("node_systemd_service_restart_total")));
  });

  for (const file of ["roost-system.json", "roost-systemd.json", "roost-backups.json", "roost-app-shop.json"]) {
    it(`${file} matches its golden file`, () => {
      const text = `${JSON.stringify(all[file], null, 2)}\n`;
      const golden = path.join(goldenDir, file);
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
      assert.equal(text, readFileSync(golden, "utf8"));
    });
  }
});

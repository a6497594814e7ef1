import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, defineModule, host } from "roost";
import { buildHostFrom } from "roost/testing";
import { alertRules } from "./alert-rules.ts";
import { promqlProblem } from "./promql.ts";

describe("PromQL expressions", () => {
  it("parse with Prometheus' grammar, or say where they stop being PromQL", () => {
    assert.equal(promqlProblem('predict_linear(node_filesystem_avail_bytes{fstype!="tmpfs"}[6h], 24 * 3600) < 0'), null);
    assert.equal(promqlProblem("sum by (host) (rate(x[5m])"), "it is not PromQL: it ends too early");
    assert.equal(promqlProblem("up == 0 0"), 'it is not PromQL: the error is at character 9 ("0")');
    assert.equal(promqlProblem(" "), "it is empty");
  });
  it("refuse an alert rule that does not parse, naming the option and its line", () => {
    const broken = defineModule({
      imports: [alertRules],
      config: () => ({
        monitoring: { alertRules: { app: { AppDown: { expr: 'up{job="app"} == ', summary: "down", description: "down", tests: [] } } } },
      }),
    });
    const fleet = defineFleet({ hosts: { h: host({ address: "root@h", modules: [broken] }) } });
    assert.throws(
      () => buildHostFrom(fleet, "h"),
      (e: Error) =>
        /monitoring\.alertRules\.app\.AppDown\.expr/.test(e.message) &&
        /it is not PromQL: it ends too early/.test(e.message) &&
        /promql\.test\.ts:\d+/.test(e.message),
    );
  });
});

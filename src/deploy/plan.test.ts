import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import type { Manifest } from "../build/manifest.ts";
import { unitsTsv } from "./host-data.ts";
import { hostScripts } from "./host-scripts.ts";
import { unitActions, type UnitActions } from "./plan.ts";

type Units = Manifest["units"];
const h = (c: string) => c.repeat(64);
const unit = (sha: string, more: Partial<Units[string]> = {}): Units[string] => ({
  sha256: h(sha),
  reload: null,
  restartIfChanged: true,
  wantedBy: ["multi-user.target"],
  requiredBy: [],
  ...more,
});

/** What the activation itself decides: its own unit_actions, run from the shipped script. */
function activationActions(old: Units, next: Units): UnitActions {
  const script =
    hostScripts.activate.replace(/^main "\$@"$/m, "") +
    '\nmapfile -t UNITS_OLD < <(printf "%s" "$1"); mapfile -t UNITS_NEW < <(printf "%s" "$2"); unit_actions\n';
  const r = spawnSync("bash", ["-c", script, "activate", unitsTsv(old), unitsTsv(next)], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const out: UnitActions = { start: [], restart: [], reload: [], stop: [] };
  for (const line of r.stdout.split("\n")) {
    const [action, name] = line.split(" ") as [keyof UnitActions, string];
    if (action in out) out[action].push(name);
  }
  return out;
}

const cases: [string, Units, Units, UnitActions][] = [
  ["a new wanted unit starts", {}, { "a.service": unit("a") }, { start: ["a.service"], restart: [], reload: [], stop: [] }],
  ["a new unit nothing wants does not", {}, { "a.service": unit("a", { wantedBy: [] }) }, { start: [], restart: [], reload: [], stop: [] }],
  ["a new template does not start", {}, { "a@.service": unit("a") }, { start: [], restart: [], reload: [], stop: [] }],
  [
    "a changed unit restarts",
    { "a.service": unit("a") },
    { "a.service": unit("b") },
    { start: [], restart: ["a.service"], reload: [], stop: [] },
  ],
  [
    "unless restartIfChanged is off",
    { "a.service": unit("a") },
    { "a.service": unit("b", { restartIfChanged: false }) },
    { start: [], restart: [], reload: [], stop: [] },
  ],
  [
    "a changed template never restarts",
    { "a@.service": unit("a") },
    { "a@.service": unit("b") },
    { start: [], restart: [], reload: [], stop: [] },
  ],
  [
    "only reloadTriggers changed: reload",
    { "a.service": unit("a", { reload: h("1") }) },
    { "a.service": unit("a", { reload: h("2") }) },
    { start: [], restart: [], reload: ["a.service"], stop: [] },
  ],
  [
    "reloadTriggers appear",
    { "a.service": unit("a") },
    { "a.service": unit("a", { reload: h("2") }) },
    { start: [], restart: [], reload: ["a.service"], stop: [] },
  ],
  [
    "a template's reloadTriggers change: nothing",
    { "a@.service": unit("a", { reload: h("1") }) },
    { "a@.service": unit("a", { reload: h("2") }) },
    { start: [], restart: [], reload: [], stop: [] },
  ],
  [
    "both changed: restart wins",
    { "a.service": unit("a", { reload: h("1") }) },
    { "a.service": unit("b", { reload: h("2") }) },
    { start: [], restart: ["a.service"], reload: [], stop: [] },
  ],
  [
    "gone units stop, templates too, sorted",
    { "b.service": unit("b"), "a@.service": unit("a"), "c.timer": unit("c") },
    {},
    { start: [], restart: [], reload: [], stop: ["a@.service", "b.service", "c.timer"] },
  ],
  ["unchanged: nothing", { "a.service": unit("a") }, { "a.service": unit("a") }, { start: [], restart: [], reload: [], stop: [] }],
  [
    "a mix",
    { "keep.service": unit("1"), "gone.service": unit("2"), "edit.service": unit("3") },
    {
      "keep.service": unit("1"),
      "edit.service": unit("4", { wantedBy: ["timers.target"] }),
      "new.timer": unit("5", { wantedBy: ["timers.target"] }),
      "x\\x2dy.service": unit("6"),
    },
    { start: ["new.timer", "x\\x2dy.service"], restart: ["edit.service"], reload: [], stop: ["gone.service"] },
  ],
];

describe("the plan and the activation decide unit actions alike", () => {
  for (const [name, old, next, expected] of cases) {
    it(name, () => {
      assert.deepEqual(unitActions(old, next), expected, "plan");
      assert.deepEqual(activationActions(old, next), expected, "activation");
    });
  }
});

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, describe, it } from "node:test";
import { buildHosts } from "../../src/build/fleet.ts";
import { mkMerge } from "../../src/core/index.ts";
import { defineFleet, type Fleet } from "../../src/host/fleet.ts";
import { FleetEvaluation } from "../../src/host/fleet.ts";
import { repoRoot, runRoost } from "../cli/run-roost.ts";

const example = path.join(repoRoot, "examples/homelab/roost.config.ts");
const scratch = mkdtempSync(path.join(tmpdir(), "roost-determinism-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Every file under `dir`, relative path → bytes. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(path.relative(dir, p), readFileSync(p, "base64"));
    }
  };
  walk(dir);
  return out;
}

function ids(fleet: Fleet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const b of buildHosts(new FleetEvaluation(fleet))) {
    if ("error" in b) throw b.error;
    out[b.host] = b.generation.id;
  }
  return out;
}

describe("deterministic generations", () => {
  it("the same fleet gives the same bytes and ids from another directory, environment and time", async () => {
    const a = path.join(scratch, "a");
    const b = path.join(scratch, "b");
    const first = runRoost(["build", "-c", example, "-o", path.join(a, "result")], {
      cwd: repoRoot,
      env: { TZ: "UTC", LANG: "C", HOME: scratch },
    });
    assert.equal(first.code, 0, first.stderr);
    await sleep(1100);
    const second = runRoost(["build", "-c", example, "-o", path.join(b, "result")], {
      cwd: scratch,
      env: { TZ: "Pacific/Auckland", LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8", ROOST_UNRELATED: String(Math.random()), HOME: b },
    });
    assert.equal(second.code, 0, second.stderr);
    const ta = tree(path.join(a, "result"));
    const tb = tree(path.join(b, "result"));
    assert.ok(ta.size > 10, "the example renders a real tree");
    assert.deepEqual([...tb.keys()], [...ta.keys()]);
    assert.deepEqual(tb, ta);
    assert.equal(readFileSync(path.join(a, "result/web/id"), "utf8"), readFileSync(path.join(b, "result/web/id"), "utf8"));
  });

  it("host order in the fleet file does not change any generation", async () => {
    const fleet = ((await import(example)) as { default: Fleet }).default;
    const reversed = defineFleet({ hosts: Object.fromEntries(Object.entries(fleet.hosts).reverse()), modules: fleet.modules as never });
    assert.notDeepEqual(Object.keys(reversed.hosts), Object.keys(fleet.hosts));
    assert.deepEqual(ids(reversed), ids(fleet));
  });

  it("a change of one file's text changes the id", async () => {
    const fleet = ((await import(example)) as { default: Fleet }).default;
    const web = fleet.hosts.web!;
    const changed = defineFleet({
      hosts: { ...fleet.hosts, web: { ...web, config: mkMerge([web.config, { files: { "/etc/issue": { text: "changed\n" } } }]) } },
      modules: fleet.modules as never,
    });
    assert.notEqual(ids(changed).web, ids(fleet).web);
    assert.equal(ids(changed).vault, ids(fleet).vault);
  });
});

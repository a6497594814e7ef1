import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { selectHosts, UsageError } from "../../src/cli/context.ts";
import { loadFleet } from "../../src/cli/load-fleet.ts";
import { FleetEvaluation } from "../../src/host/fleet.ts";
import { repoRoot, runRoost } from "./run-roost.ts";

const fixture = "test/fixtures/selection/tags.config.ts";
const fleet = new FleetEvaluation(await loadFleet(path.join(repoRoot, fixture)));

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsageError) return e.format();
    throw e;
  }
  throw new Error("expected a usage error");
}

describe("host selection", () => {
  it("selects every host when nothing is named", () => {
    assert.deepEqual(selectHosts(fleet, []), ["db", "lab", "web"]);
  });
  it("selects by @tag, by name, comma-separated or repeated, in fleet order", () => {
    assert.deepEqual(selectHosts(fleet, ["@europe"]), ["db", "web"]);
    assert.deepEqual(selectHosts(fleet, ["@america,web"]), ["lab", "web"]);
    assert.deepEqual(selectHosts(fleet, ["web", "@database", "web"]), ["db", "web"]);
  });
  it("refuses an unknown tag, listing the tags and the close one", () => {
    assert.match(
      usageError(() => selectHosts(fleet, ["@eruope"])),
      /^error: no host is tagged "eruope"\n {2}tags: @america, @database, @europe, @frontend\nhint: did you mean @europe\?$/,
    );
  });
  it("says so when an @tag is the name of a host", () => {
    assert.match(
      usageError(() => selectHosts(fleet, ["@web"])),
      /^error: no host is tagged "web"\n[^\n]*\nhint: did you mean the host web \(without @\)\?$/,
    );
  });
  it("refuses an unknown host with the close name", () => {
    assert.match(
      usageError(() => selectHosts(fleet, ["webb"])),
      /no host named "webb" in the fleet\n {2}hosts: db, lab, web\nhint: did you mean web\?/,
    );
  });
  it("lets a host read another's addresses and tags", () => {
    assert.equal(fleet.host("db").config.files["/etc/db/clients"]!.text, "10.9.0.1\nfrontend,europe\n");
  });
});

describe("roost deploy --on", () => {
  it("exits 2 on an unknown tag or host, before contacting any host", () => {
    const tag = runRoost(["deploy", "-c", fixture, "--on", "@databse"]);
    assert.equal(tag.code, 2, tag.stderr);
    assert.match(tag.stderr, /no host is tagged "databse"[\s\S]*did you mean @database\?/);
    const name = runRoost(["deploy", "-c", fixture, "--on", "web,dbb", "--dry-run"]);
    assert.equal(name.code, 2, name.stderr);
    assert.match(name.stderr, /no host named "dbb"[\s\S]*did you mean db\b/);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readAlloy, unresolvedReferences } from "roost";
import { buildHostFrom } from "roost/testing";
import pinned from "../fixtures/observability-agent/pinned.config.ts";
import { runRoost } from "./run-roost.ts";

// Seed 003's host: the example passes `roost check` as written (no release pinned: warnings), and
// with every source pinned the three agents are wired as the seed asks.

describe("examples/observability-agent", () => {
  it("passes roost check, warning that nothing unpinned is installed", () => {
    const run = runRoost(["check", "-c", "examples/observability-agent/roost.config.ts"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /services\.alloy: neither aptKey nor release is set/);
    assert.match(run.stdout, /services\.beyla: release is not set/);
    assert.match(run.stdout, /services\.pyroscope\.agent: release is not set/);
  });

  it("with the releases pinned, passes roost check with the three units verified by systemd-analyze", () => {
    const run = runRoost(["check", "-c", "test/fixtures/observability-agent/pinned.config.ts"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /systemd-analyze verify/);
    assert.doesNotMatch(run.stdout, /warning/);
  });

  it("with the releases pinned, runs Alloy, then Beyla and the Pyroscope agent sending to it", () => {
    const built = buildHostFrom(pinned, "thinkpad");
    for (const unit of ["alloy", "beyla", "pyroscope-agent"]) assert.ok(built.paths.includes(`/etc/systemd/system/${unit}.service`), unit);
    assert.match(
      built.file("/etc/systemd/system/beyla.service"),
      /^Environment="OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:4318"$/m,
    );
    assert.match(built.file("/etc/systemd/system/pyroscope-agent.service"), /^After=alloy\.service$/m);
    assert.deepEqual(unresolvedReferences(readAlloy(built.file("/etc/alloy/config.alloy"))), []);
    assert.equal(built.config.networking.ports["alloy-otlp-http"]!.port, 4318);
  });
});

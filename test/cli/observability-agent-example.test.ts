import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host, readAlloy, unresolvedReferences } from "roost";
import { buildHostFrom } from "roost/testing";
import example from "../../examples/observability-agent/roost.config.ts";
import { runRoost } from "./run-roost.ts";

// Seed 003's host: the example passes `roost check` as written (no release pinned: warnings), and
// with every source pinned the three agents are wired as the seed asks.
const sha256 = "5f7879ae6d6e6edd1dbbc91d80b073984c75b08c5a13d9392d89a032436529b1";

describe("examples/observability-agent", () => {
  it("passes roost check, warning that nothing unpinned is installed", () => {
    const run = runRoost(["check", "-c", "examples/observability-agent/roost.config.ts"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /services\.alloy: neither aptKey nor release is set/);
    assert.match(run.stdout, /services\.beyla: release is not set/);
    assert.match(run.stdout, /services\.pyroscope\.agent: release is not set/);
  });

  it("with the releases pinned, runs Alloy, then Beyla and the Pyroscope agent sending to it", () => {
    const seed = example.hosts.thinkpad as unknown as { modules: never[]; config: { services: Record<string, Record<string, unknown>> } };
    const s = seed.config.services;
    const fleet = defineFleet({
      hosts: {
        thinkpad: host({
          address: "root@10.0.0.1",
          modules: seed.modules,
          config: {
            services: {
              alloy: {
                ...s.alloy,
                release: { url: "https://github.com/grafana/alloy/releases/download/v1.5.1/alloy-linux-amd64.zip", sha256 },
              },
              beyla: {
                ...s.beyla,
                release: { url: "https://github.com/grafana/beyla/releases/download/v1.9.0/beyla-linux-amd64-v1.9.0.tar.gz", sha256 },
              },
              pyroscope: {
                agent: {
                  ...(s.pyroscope!.agent as object),
                  release: {
                    url: "https://github.com/grafana/pyroscope/releases/download/v0.37.2/pyroscope_0.37.2_linux_amd64.tar.gz",
                    sha256,
                  },
                },
              },
            },
          } as never,
        }),
      },
    });
    const built = buildHostFrom(fleet, "thinkpad");
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

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host } from "roost";
import { alloy } from "roost/services/alloy";
import { buildHostFrom } from "roost/testing";
import { beyla } from "./index.ts";

const unitPath = "/etc/systemd/system/beyla.service";
const release = {
  url: "https://github.com/grafana/beyla/releases/download/v1.9.0/beyla-linux-amd64-v1.9.0.tar.gz",
  sha256: "5f7879ae6d6e6edd1dbbc91d80b073984c75b08c5a13d9392d89a032436529b1",
};

const alloyRelease = { url: "https://github.com/grafana/alloy/releases/download/v1.5.1/alloy-linux-amd64.zip", sha256: release.sha256 };

function build(config: Record<string, unknown>) {
  const fleet = defineFleet({ hosts: { a: host({ address: "root@10.0.0.1", modules: [alloy, beyla], config: config as never }) } });
  return buildHostFrom(fleet, "a");
}

describe("services.beyla", () => {
  it("runs as a transient user with exactly the eBPF capabilities, after the local Alloy, sending to its receiver", () => {
    const built = build({
      services: {
        alloy: { enable: true, release: alloyRelease, otlp: { port: 4319, exporters: { local: { endpoint: "http://127.0.0.1:4320" } } } },
        beyla: { enable: true, release, openPort: "8000-8999", serviceName: "django-app" },
      },
    });
    const unit = built.file(unitPath);
    const caps = ["CAP_BPF", "CAP_PERFMON", "CAP_NET_RAW", "CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH", "CAP_CHECKPOINT_RESTORE"];
    const values = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((m) => m[1]);
    assert.deepEqual(values("AmbientCapabilities"), caps);
    assert.deepEqual(values("CapabilityBoundingSet"), caps);
    assert.match(unit, /^DynamicUser=yes$/m);
    assert.doesNotMatch(unit, /^User=root$/m);
    assert.match(unit, /^After=.*alloy\.service/m);
    assert.match(unit, /^Wants=.*alloy\.service/m);
    assert.match(unit, /^Environment="BEYLA_OPEN_PORT=8000-8999"$/m);
    assert.match(unit, /^Environment="BEYLA_SERVICE_NAME=django-app"$/m);
    assert.match(unit, /^Environment="OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:4319"$/m);
    assert.match(unit, /^After=.*roost-sysctl\.service/m);
    assert.equal(built.file("/etc/sysctl.d/60-roost.conf"), "-kernel.perf_event_paranoid = 1\n");
  });

  it("without Alloy (or without its receiver) on the host needs an endpoint and is not ordered after it", () => {
    const base = { enable: true, release, openPort: "80" };
    assert.throws(() => build({ services: { beyla: base } }), /services\.beyla\.otlpEndpoint is used but has no value/);
    assert.throws(
      () => build({ services: { alloy: { enable: true, release: alloyRelease }, beyla: base } }),
      /services\.beyla\.otlpEndpoint is used but has no value/,
    );
    const noSource = build({
      services: { alloy: { enable: true, otlp: { exporters: { local: { endpoint: "http://127.0.0.1:4320" } } } }, beyla: base },
    });
    assert.doesNotMatch(noSource.file(unitPath), /alloy\.service/);
    const built = build({ services: { beyla: { ...base, otlpEndpoint: "http://10.0.0.5:4318", perfEventParanoid: null } } });
    const unit = built.file(unitPath);
    assert.doesNotMatch(unit, /alloy/);
    assert.doesNotMatch(unit, /sysctl/);
    assert.ok(!built.paths.includes("/etc/sysctl.d/60-roost.conf"));
  });

  it("refuses a port list Beyla cannot read, naming the option and the line", () => {
    assert.throws(
      () => build({ services: { beyla: { enable: true, release, openPort: "80; rm -rf /", otlpEndpoint: "http://127.0.0.1:4318" } } }),
      (e: Error & { format(): string }) => {
        assert.match(e.format(), /services\.beyla\.openPort: expected ports and ranges/);
        assert.match(e.format(), /src\/services\/beyla\/index\.test\.ts:\d+/);
        return true;
      },
    );
  });
});

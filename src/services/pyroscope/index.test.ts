import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host } from "roost";
import { alloy } from "roost/services/alloy";
import { buildHostFrom } from "roost/testing";
import { parse } from "yaml";
import { agentConfigFile, pyroscope } from "./index.ts";

const unitPath = "/etc/systemd/system/pyroscope-agent.service";
const release = {
  url: "https://github.com/grafana/pyroscope/releases/download/v0.37.2/pyroscope_0.37.2_linux_amd64.tar.gz",
  sha256: "5f7879ae6d6e6edd1dbbc91d80b073984c75b08c5a13d9392d89a032436529b1",
};

function build(config: Record<string, unknown>) {
  const fleet = defineFleet({ hosts: { a: host({ address: "root@10.0.0.1", modules: [alloy, pyroscope], config: config as never }) } });
  return buildHostFrom(fleet, "a");
}

describe("services.pyroscope.agent", () => {
  it("writes the server address and one target per application, and runs as a transient user after Alloy", () => {
    const built = build({
      services: {
        alloy: {
          enable: true,
          release: { url: "https://github.com/grafana/alloy/releases/download/v1.5.1/alloy-linux-amd64.zip", sha256: release.sha256 },
        },
        pyroscope: {
          agent: {
            enable: true,
            release,
            serverAddress: "http://pyroscope.example.org:4040",
            applications: {
              "django-app": { serviceName: "app.service", tags: { env: "prod" } },
              worker: { spyName: "rbspy", serviceName: "worker.service" },
            },
          },
        },
      },
    });
    assert.deepEqual(parse(built.file(agentConfigFile)), {
      "server-address": "http://pyroscope.example.org:4040",
      "log-level": "info",
      targets: [
        {
          "application-name": "django-app",
          "spy-name": "pyspy",
          "service-name": "app.service",
          "detect-subprocesses": true,
          tags: { env: "prod" },
        },
        { "application-name": "worker", "spy-name": "rbspy", "service-name": "worker.service", "detect-subprocesses": true, tags: {} },
      ],
    });
    const unit = built.file(unitPath);
    assert.match(unit, /^ExecStart=\/opt\/pyroscope\/pyroscope agent --config \/etc\/pyroscope\/agent\.yml$/m);
    assert.match(unit, /^DynamicUser=yes$/m);
    assert.match(unit, /^After=.*alloy\.service/m);
  });

  it("without a release writes its config, runs nothing and warns", () => {
    const built = build({ services: { pyroscope: { agent: { enable: true, serverAddress: "http://p:4040" } } } });
    assert.ok(!built.paths.includes(unitPath));
    assert.ok(built.paths.includes(agentConfigFile));
  });

  it("refuses an application that is no service unit, naming the option", () => {
    assert.throws(
      () =>
        build({
          services: { pyroscope: { agent: { enable: true, serverAddress: "http://p:4040", applications: { a: { serviceName: "app" } } } } },
        }),
      /services\.pyroscope\.agent\.applications\.a\.serviceName: expected systemd service unit/,
    );
  });
});

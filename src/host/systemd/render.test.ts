import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorOf } from "../../core/test-support.ts";
import { buildOne, fileText } from "../test-support.ts";

describe("systemd units", () => {
  it("renders typed sections, lists as repeated keys and booleans as yes/no", () => {
    const gen = buildOne({
      systemd: {
        services: {
          app: {
            description: "App",
            after: ["network-online.target", "postgresql.service"],
            serviceConfig: {
              ExecStart: ["/usr/bin/app --serve"],
              User: "app",
              PrivateTmp: true,
              RestartSec: "1m",
              MemoryMax: "512M",
              extraConfig: { OOMPolicy: "continue" },
            },
          },
        },
      },
    });
    const text = fileText(gen, "/etc/systemd/system/app.service");
    assert.match(text, /^\[Unit\]\nDescription=App\nAfter=network-online\.target\nAfter=postgresql\.service\n/);
    assert.match(text, /^PrivateTmp=yes$/m);
    assert.match(text, /^RestartSec=60$/m);
    assert.match(text, /^MemoryMax=536870912$/m);
    assert.match(text, /^OOMPolicy=continue$/m);
    assert.match(text, /\[Install\]\nWantedBy=multi-user\.target\n$/);
    assert.equal(gen.files.get("/etc/systemd/system/app.service")!.mode, "0644");
  });

  it("quotes environment values for systemd, doubling %", () => {
    const gen = buildOne({
      systemd: {
        services: { app: { environment: { GREETING: 'say "hi" at 100%', B: "x\\y" }, serviceConfig: { ExecStart: ["/bin/true"] } } },
      },
    });
    const text = fileText(gen, "/etc/systemd/system/app.service");
    assert.match(text, /^Environment="B=x\\\\y"\nEnvironment="GREETING=say \\"hi\\" at 100%%"$/m);
  });

  it("ships script and preStart as executable files of the generation", () => {
    const gen = buildOne({
      systemd: { services: { job: { script: "echo run", preStart: "echo prepare", serviceConfig: { Type: "oneshot" } } } },
    });
    const text = fileText(gen, "/etc/systemd/system/job.service");
    assert.match(text, /^ExecStart=\/etc\/roost\/units\/job\.service\/start$/m);
    assert.match(text, /^ExecStartPre=\/etc\/roost\/units\/job\.service\/pre-start$/m);
    assert.equal(fileText(gen, "/etc/roost/units/job.service/start"), "#!/bin/sh\nset -eu\necho run\n");
    assert.equal(gen.files.get("/etc/roost/units/job.service/start")!.mode, "0755");
  });

  it("refuses script together with ExecStart", () => {
    assert.match(
      errorOf(() => buildOne({ systemd: { services: { job: { script: "x", serviceConfig: { ExecStart: ["/bin/true"] } } } } })),
      /systemd\.services\.job: set script or serviceConfig\.ExecStart, not both/,
    );
  });

  it("refuses a value with a line break", () => {
    assert.match(
      errorOf(() => buildOne({ systemd: { services: { job: { description: "two\nlines" } } } })),
      /systemd\.services\.job\.description: expected string \(one line\), but it contains a line break/,
    );
  });

  it("startAt makes a persistent timer and keeps the service out of boot", () => {
    const gen = buildOne({ systemd: { services: { report: { startAt: ["*-*-* 06,18:00:00"], script: "true" } } } });
    assert.match(fileText(gen, "/etc/systemd/system/report.timer"), /\[Timer\]\nOnCalendar=\*-\*-\* 06,18:00:00\nPersistent=yes\n/);
    assert.doesNotMatch(fileText(gen, "/etc/systemd/system/report.service"), /WantedBy/);
    assert.deepEqual(gen.manifest.units["report.timer"]!.wantedBy, ["timers.target"]);
  });

  it("restartTriggers change the restart hash, reloadTriggers only the reload hash", () => {
    const unit = (restart: string, reload: string) =>
      buildOne({
        systemd: {
          services: { app: { serviceConfig: { ExecStart: ["/bin/true"] }, restartTriggers: [restart], reloadTriggers: [reload] } },
        },
      }).manifest.units["app.service"]!;
    const base = unit("a", "x");
    assert.notEqual(unit("b", "x").sha256, base.sha256);
    assert.equal(unit("a", "y").sha256, base.sha256);
    assert.notEqual(unit("a", "y").reload, base.reload);
  });

  it("leaves disabled units out", () => {
    const gen = buildOne({ systemd: { services: { off: { enable: false, serviceConfig: { ExecStart: ["/bin/true"] } } } } });
    assert.ok(!gen.files.has("/etc/systemd/system/off.service"));
    assert.equal(gen.manifest.units["off.service"], undefined);
  });

  it("renders timers, sockets, paths and targets", () => {
    const gen = buildOne({
      systemd: {
        timers: { t: { timerConfig: { OnBootSec: "5m", Unit: "x.service" } } },
        sockets: { s: { socketConfig: { ListenStream: ["127.0.0.1:7000"], Accept: true } } },
        paths: { p: { pathConfig: { PathExists: ["/run/flag"] } } },
        targets: { g: { wants: ["t.timer"] } },
      },
    });
    assert.match(fileText(gen, "/etc/systemd/system/t.timer"), /OnBootSec=300\nUnit=x\.service/);
    assert.match(fileText(gen, "/etc/systemd/system/s.socket"), /\[Socket\]\nAccept=yes\nListenStream=127\.0\.0\.1:7000/);
    assert.match(fileText(gen, "/etc/systemd/system/p.path"), /\[Path\]\nPathExists=\/run\/flag/);
    assert.match(fileText(gen, "/etc/systemd/system/g.target"), /Wants=t\.timer/);
  });

  it("rejects a dependency that is not a unit name", () => {
    assert.match(
      errorOf(() => buildOne({ systemd: { services: { a: { after: ["network"] } } } })),
      /systemd\.services\.a\.after\[0\]: expected unit name with its type/,
    );
  });

  it("suggests the typed key for a misspelt one", () => {
    assert.match(
      errorOf(() => buildOne({ systemd: { services: { a: { serviceConfig: { ExecStrat: ["/bin/true"] } as never } } } })),
      /did you mean systemd\.services\.a\.serviceConfig\.ExecStart\b/,
    );
  });
});

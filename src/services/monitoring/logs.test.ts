import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host, type Fleet } from "roost";
import { buildHostFrom } from "roost/testing";
import { monitoring } from "./index.ts";
import { monitored, serverHost } from "./test-support.ts";

function fleet(tiger: object = {}): Fleet {
  return defineFleet({
    modules: [monitoring],
    hosts: {
      cheetah: serverHost(),
      tiger: host({ address: "root@10.0.0.2", modules: monitored, config: tiger }),
      dino: host({ address: "root@10.0.0.3", modules: monitored }),
    },
  });
}

describe("monitoring.logs", () => {
  it("ships every host's journal through a local nginx that adds the host's token", () => {
    const tiger = buildHostFrom(fleet(), "tiger");
    assert.equal(tiger.config.monitoring.logs.enable, true);
    assert.match(
      tiger.file("/etc/systemd/system/roost-journal-upload.service"),
      /^ExecStart=\/lib\/systemd\/systemd-journal-upload --save-state --url=http:\/\/127\.0\.0\.1:19531$/m,
    );
    const conf = tiger.file("/etc/nginx/roost.conf");
    assert.match(conf, /listen 127\.0\.0\.1:19531;/);
    assert.match(
      conf,
      /include \/etc\/roost-monitoring\/logs-upload-target\.conf;\n\s+include \/run\/roost\/secrets\/monitoring-logs-upload;/,
    );
    assert.match(conf, /proxy_ssl_verify on;/);
    assert.match(conf, /proxy_ssl_name metrics\.example\.org;/);
    // The server's address, as vmagent reaches it: agents need no DNS for the domain.
    assert.equal(tiger.file("/etc/roost-monitoring/logs-upload-target.conf"), "proxy_pass https://10.0.0.1:443;\n");
    const auth = tiger.manifest.secrets["monitoring-logs-upload"]!;
    assert.equal(auth.kind, "template");
    assert.deepEqual(auth.secrets, ["monitoring_token_tiger"]);
    assert.equal(tiger.config.systemd.services.nginx!.onSecretChange, "reload");
    assert.ok(tiger.config.packages.includes("systemd-journal-remote"));
    // Alive while it runs or waits to retry an upload; a stopped or failed uploader fails the check.
    const check = tiger.manifest.healthChecks["journal-upload"]!;
    assert.ok(check.type === "command");
    assert.match(check.command.at(-1)!, /SubState roost-journal-upload\.service\); case \$s in running\|auto-restart\|start\)/);
  });

  it("gives each host its own journal-remote on the server, chosen by the host the token names", () => {
    const cheetah = buildHostFrom(fleet(), "cheetah");
    const ports = { cheetah: 19600, dino: 19601, tiger: 19602 };
    for (const [h, port] of Object.entries(ports)) {
      assert.match(
        cheetah.file(`/etc/systemd/system/journal-remote-${h}.service`),
        new RegExp(
          `^ExecStart=/lib/systemd/systemd-journal-remote --listen-http=127\\.0\\.0\\.1:${port} --split-mode=none --output=/var/log/journal/remote/${h}/${h}\\.journal$`,
          "m",
        ),
      );
      assert.equal(cheetah.config.networking.ports[`journal-remote-${h}`]!.port, port);
      assert.deepEqual(cheetah.manifest.healthChecks[`journal-remote-${h}`], { type: "tcp", host: "127.0.0.1", port, timeout: 30 });
    }
    const conf = cheetah.file("/etc/nginx/roost.conf");
    assert.match(
      conf,
      /map \$monitoring_host \$monitoring_logs_port \{\n\s+cheetah 19600;\n\s+default '';\n\s+dino 19601;\n\s+tiger 19602;/,
    );
    assert.match(
      conf,
      /location = \/upload \{\n\s+client_max_body_size 0;\n\s+if \(\$monitoring_token_unknown\) \{\n\s+return 401;\n\s+\}\n\s+proxy_http_version 1\.1;\n\s+proxy_pass http:\/\/127\.0\.0\.1:\$monitoring_logs_port\/upload;/,
    );
    assert.match(cheetah.file("/etc/systemd/system/roost-journal-vacuum.service"), /ExecStart=/);
    assert.ok(cheetah.config.systemd.services["roost-journal-vacuum"]!.script!.includes("--vacuum-size=1073741824 --vacuum-time=7776000s"));
  });

  it("ships nothing from a host that turns it off", () => {
    const tiger = buildHostFrom(fleet({ monitoring: { logs: { enable: false } } }), "tiger");
    assert.equal(tiger.config.systemd.services["roost-journal-upload"], undefined);
    assert.equal(tiger.config.services.nginx.enable, false);
    assert.equal(tiger.manifest.healthChecks["journal-upload"], undefined);
  });
});

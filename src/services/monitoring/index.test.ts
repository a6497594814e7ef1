import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { defineFleet, host, secret, type Fleet } from "roost";
import { buildHostFrom } from "roost/testing";
import { alertmanagerFile, monitoring, rulesFile, rulesTestFile } from "./index.ts";
import { mail, monitored, serverHost } from "./test-support.ts";

function fleet(extra: { server?: object; tiger?: object; dino?: object } = {}): Fleet {
  return defineFleet({
    modules: [monitoring],
    hosts: {
      cheetah: serverHost(extra.server),
      tiger: host({ address: "root@10.0.0.2", modules: monitored, config: extra.tiger ?? {} }),
      dino: host({ address: "root@10.0.0.3", modules: monitored, config: extra.dino ?? { monitoring: { agent: { intermittent: true } } } }),
    },
  });
}

/** Run `tool args…` on generation files written to a temporary directory under their base names. */
function runOn(files: Record<string, string>, tool: string, args: (dir: string) => string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), "roost-monitoring-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return execFileSync(tool, args(dir), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("monitoring", () => {
  it("makes every host an agent once one host is the server, and none when no host is", () => {
    const tiger = buildHostFrom(fleet(), "tiger");
    assert.equal(tiger.config.monitoring.agent.enable, true);
    const unit = tiger.file("/etc/systemd/system/vmagent.service");
    assert.match(unit, /-remoteWrite\.url=https:\/\/metrics\.example\.org\/api\/v1\/write /);
    assert.match(unit, /-remoteWrite\.bearerTokenFile=\/run\/roost\/secrets\/monitoring-token /);
    assert.match(unit, /-remoteWrite\.maxDiskUsagePerURL=1073741824 /);
    assert.match(unit, /^BindReadOnlyPaths=\/etc\/roost-monitoring\/vmagent-hosts:\/etc\/hosts$/m);
    assert.equal(tiger.file("/etc/roost-monitoring/vmagent-hosts"), "127.0.0.1 localhost\n::1 localhost\n10.0.0.1 metrics.example.org\n");
    assert.deepEqual(tiger.manifest.secrets["monitoring-token"]!.secrets, ["monitoring_token_tiger"]);
    // The packaged VictoriaMetrics, installed for vmagent, does not run on an agent.
    assert.match(tiger.file("/etc/systemd/system/victoria-metrics.service"), /^ExecStart=\/bin\/true$/m);
    assert.match(tiger.file("/etc/systemd/system/prometheus-node-exporter.service"), /--web\.listen-address=127\.0\.0\.1:9100/);
    // A root on overlay (containers, test hosts) is a disk the dashboards show; node_exporter's own default drops it.
    assert.match(
      tiger.file("/etc/systemd/system/prometheus-node-exporter.service"),
      /"--collector\.filesystem\.fs-types-exclude=\^\(autofs\|[a-z0-9?|_]*\)\$\$"/,
    );
    assert.doesNotMatch(tiger.file("/etc/systemd/system/prometheus-node-exporter.service"), /fs-types-exclude=[^ ]*overlay/);

    const alone = defineFleet({ modules: [monitoring], hosts: { solo: host({ address: "root@10.0.0.9", modules: monitored }) } });
    const solo = buildHostFrom(alone, "solo");
    assert.equal(solo.config.monitoring.agent.enable, false);
    assert.ok(!solo.paths.includes("/etc/systemd/system/vmagent.service"));
  });

  it("lets a host opt out, and scrapes every registered target of the host at 127.0.0.1", () => {
    const f = fleet({
      tiger: { monitoring: { agent: { enable: false } } },
      dino: { monitoring: { scrapeTargets: { app: { port: 8000, path: "/prom", labels: { role: "web" } } } } },
    });
    assert.ok(!buildHostFrom(f, "tiger").paths.includes("/etc/systemd/system/vmagent.service"));
    const scrape = buildHostFrom(f, "dino").file("/etc/roost-monitoring/vmagent.yml");
    assert.match(
      scrape,
      /- job_name: app\n {4}scheme: http\n {4}metrics_path: \/prom\n {4}static_configs:\n {6}- targets:\n {10}- "127\.0\.0\.1:8000"\n {8}labels:\n {10}role: web/,
    );
    assert.match(scrape, /- job_name: node\n/);
  });

  it("builds the server of a 120-host fleet and an agent of it: reading another host's role does not evaluate its own reads of the fleet", () => {
    const names = Array.from({ length: 120 }, (_, i) => `h${String(i).padStart(3, "0")}`);
    const wide = defineFleet({
      modules: [monitoring],
      hosts: {
        cheetah: serverHost(),
        ...Object.fromEntries(names.map((n, i) => [n, host({ address: `root@10.1.${i >> 8}.${i & 255}`, modules: monitored })])),
      },
    });
    const started = performance.now();
    const server = buildHostFrom(wide, "cheetah");
    assert.equal(server.manifest.secrets["monitoring-ingest-tokens"]!.secrets.length, 121);
    assert.ok(buildHostFrom(wide, "h119").paths.includes("/etc/systemd/system/vmagent.service"));
    assert.ok(performance.now() - started < 60_000);
  });

  it("maps each host's token to its name in a secret template nginx includes, and answers 401 to any other", () => {
    const cheetah = buildHostFrom(fleet(), "cheetah");
    const tokens = cheetah.manifest.secrets["monitoring-ingest-tokens"]!;
    assert.equal(tokens.kind, "template");
    assert.deepEqual(tokens.secrets, ["monitoring_token_cheetah", "monitoring_token_dino", "monitoring_token_tiger"]);
    const conf = cheetah.file("/etc/nginx/roost.conf");
    assert.match(
      conf,
      /map \$http_authorization \$monitoring_host \{\n\s+default '';\n\s+include \/run\/roost\/secrets\/monitoring-ingest-tokens;\n\s+\}/,
    );
    assert.match(conf, /map \$monitoring_host \$monitoring_token_unknown \{\n\s+default 1;\n\s+~\. 0;\n\s+\}/);
    assert.match(
      conf,
      /location = \/api\/v1\/write \{\n\s+proxy_pass http:\/\/127\.0\.0\.1:8428\/api\/v1\/write\?extra_label=host=\$monitoring_host;/,
    );
    assert.match(conf, /if \(\$monitoring_token_unknown\) \{\n\s+return 401;/);
    // nginx reloads (not restarts) when a token changes.
    assert.match(cheetah.file("/etc/systemd/system/nginx.service"), /After=roost-secrets\.service/);
    assert.equal(cheetah.config.systemd.services.nginx!.onSecretChange, "reload");
    assert.match(cheetah.file("/etc/systemd/system/victoria-metrics.service"), /-httpListenAddr=127\.0\.0\.1:8428 -retentionPeriod=12/);
  });

  it("writes a token as the secret it is, never its value", () => {
    const f = fleet({ tiger: { monitoring: { agent: { tokenSecret: secret("tiger_ingest") } } } });
    assert.deepEqual(buildHostFrom(f, "tiger").manifest.secrets["monitoring-token"]!.secrets, ["tiger_ingest"]);
    assert.ok(buildHostFrom(f, "cheetah").manifest.secrets["monitoring-ingest-tokens"]!.secrets.includes("tiger_ingest"));
  });

  it("pages HostNotReporting for every host but the intermittent ones, once it has reported", () => {
    const rules = buildHostFrom(fleet(), "cheetah").file(rulesFile);
    const expr = /alert: HostNotReporting\n\s+expr: "(.*)"/.exec(rules)![1]!;
    assert.equal(
      expr,
      'max by (host) (present_over_time(up{job=\\"vmagent\\",host=~\\"cheetah|tiger\\"}[7d])) unless max by (host) (present_over_time(up{job=\\"vmagent\\",host=~\\"cheetah|tiger\\"}[5m]))',
    );
    // Its promtool test (run below) has tiger stop and cheetah never report: the alert names tiger only.
    const tests = buildHostFrom(fleet(), "cheetah").file(rulesTestFile);
    assert.match(tests, /series: "up\{job=\\"vmagent\\",host=\\"tiger\\"\}"\n\s+values: "1x4"/);
    assert.doesNotMatch(tests, /host=\\"cheetah\\"/);
  });

  it("mails through the smarthost with the password from a secret, repeats by severity and quiets a down host's other alerts", () => {
    const built = buildHostFrom(
      fleet({ server: { mail: { ...mail, user: "alerts", passwordSecret: secret("smtp_password") } } }),
      "cheetah",
    );
    const am = built.file(alertmanagerFile);
    assert.match(am, /smtp_auth_password_file: \/run\/roost\/secrets\/monitoring-smtp-password/);
    assert.match(am, /smtp_auth_username: alerts/);
    assert.match(am, /- "severity=\\"critical\\""\n\s+receiver: mail\n\s+repeat_interval: "1h"/);
    assert.match(
      am,
      /source_matchers:\n\s+- "alertname=\\"HostNotReporting\\""\n\s+target_matchers:\n\s+- "scope=\\"host\\""\n\s+equal:\n\s+- host/,
    );
    assert.deepEqual(built.manifest.secrets["monitoring-smtp-password"]!.secrets, ["smtp_password"]);
    assert.match(
      built.file("/etc/systemd/system/prometheus-alertmanager.service"),
      /--web\.listen-address=127\.0\.0\.1:9093 --cluster\.listen-address=/,
    );
  });

  it("takes rules from every host, and refuses one without a test, naming it", () => {
    const rule = { expr: "roost_backup_age_seconds > 86400", summary: "{{ $labels.host }}: old backup" };
    const f = fleet({ tiger: { monitoring: { alertRules: { backup: { BackupTooOld: rule } } } } });
    assert.throws(
      () => buildHostFrom(f, "cheetah"),
      /monitoring\.alertRules: every rule needs a promtool test \(tests = \[\.\.\.\]\); none for backup\.BackupTooOld/,
    );
    const tested = fleet({
      tiger: {
        monitoring: {
          alertRules: {
            backup: {
              BackupTooOld: {
                ...rule,
                tests: [
                  {
                    evalTime: "5m",
                    inputSeries: [{ series: 'roost_backup_age_seconds{host="a"}', values: "90000x10" }],
                    expectAlerts: [{ labels: { host: "a" }, summary: "a: old backup", description: "" }],
                  },
                ],
              },
            },
          },
        },
      },
    });
    assert.match(buildHostFrom(tested, "cheetah").file(rulesFile), /- alert: BackupTooOld\n/);
  });

  it("ships rules that promtool checks and whose unit tests pass, and configurations vmalert and amtool accept", () => {
    const built = buildHostFrom(fleet(), "cheetah");
    const files = {
      "rules.yml": built.file(rulesFile),
      "rules.test.yml": built.file(rulesTestFile),
      "alertmanager.yml": built.file(alertmanagerFile),
    };
    assert.match(
      runOn(files, "promtool", (d) => ["check", "rules", path.join(d, "rules.yml")]),
      /SUCCESS: 10 rules found/,
    );
    assert.match(
      runOn(files, "promtool", (d) => ["test", "rules", path.join(d, "rules.test.yml")]),
      /SUCCESS/,
    );
    runOn(files, "vmalert", (d) => ["-dryRun", `-rule=${path.join(d, "rules.yml")}`]);
    assert.match(
      runOn(files, "amtool", (d) => ["check-config", path.join(d, "alertmanager.yml")]),
      /SUCCESS/,
    );
  });

  it("with the prometheus backend, runs Prometheus with its remote-write receiver behind a vmagent that stamps the host label", () => {
    const built = buildHostFrom(fleet({ server: { backend: "prometheus", retention: "6" } }), "cheetah");
    const unit = built.file("/etc/systemd/system/prometheus.service");
    assert.match(unit, /--storage\.tsdb\.retention\.time=186d --web\.listen-address=127\.0\.0\.1:8428 --web\.enable-remote-write-receiver/);
    assert.match(built.file("/etc/systemd/system/vmagent-relay.service"), /-remoteWrite\.url=http:\/\/127\.0\.0\.1:8428\/api\/v1\/write/);
    assert.match(
      built.file("/etc/nginx/roost.conf"),
      /proxy_pass http:\/\/127\.0\.0\.1:8430\/api\/v1\/write\?extra_label=\$monitoring_relay_label=1;/,
    );
    assert.ok(!built.paths.includes("/etc/systemd/system/vmalert.service"));
    // A series with another host's token label besides its own is dropped; the token label names the host.
    assert.match(
      built.file("/etc/roost-monitoring/relay-relabel.yml"),
      /- action: drop\n {2}source_labels:\n {4}- roost_token_cheetah\n {4}- roost_token_dino\n {4}- roost_token_tiger\n {2}separator: ";"\n {2}regex: "\.\*1\.\*1\.\*"/,
    );
    const files = { "prometheus.yml": built.file("/etc/roost-monitoring/prometheus.yml"), "rules.yml": built.file(rulesFile) };
    assert.match(
      runOn(files, "promtool", (d) => ["check", "config", path.join(d, "prometheus.yml")]),
      /SUCCESS: 10 rules found/,
    );
  });
});

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { defineFleet, host, secret } from "roost";
import { alloy } from "roost/services/alloy";
import { beyla } from "roost/services/beyla";
import { runScenario } from "roost/testing";

// Roost's wiring of the Alloy and Beyla units on a real test host: downloads pinned by sha256 and
// unpacked, users, memory limit, GOMEMLIMIT, the journal group, the token readable by the unit,
// Beyla's ambient capabilities, its sysctl file and its ordering after Alloy. The binaries are
// STAND-INS (shell scripts that report how systemd started them, Alloy's serving its readiness
// page with busybox httpd): this test proves nothing about Alloy's or Beyla's own behaviour.
const alloyStandIn = `#!/bin/sh
# Stand-in for Grafana Alloy (not Alloy): reports how systemd started it, serves /-/ready.
echo "stand-in user=$(id -un) groups=$(id -Gn) GOMEMLIMIT=$GOMEMLIMIT args=$*"
head -n 1 /etc/alloy/config.alloy >/dev/null && echo "stand-in config readable"
test "$(cat /run/roost/secrets/alloy-remote-write-mimir)" = "e2e-remote-token" && echo "stand-in token readable"
mkdir -p /tmp/www/-
echo ready > /tmp/www/-/ready
exec /bin/busybox httpd -f -p 127.0.0.1:12345 -h /tmp/www
`;
const beylaStandIn = `#!/bin/sh
# Stand-in for Grafana Beyla (not Beyla): reports its capabilities and environment, then waits.
echo "stand-in uid=$(id -u) $(grep -E '^Cap(Amb|Eff)' /proc/self/status | tr '\\t\\n' '= ')"
echo "stand-in BEYLA_OPEN_PORT=$BEYLA_OPEN_PORT OTEL_EXPORTER_OTLP_ENDPOINT=$OTEL_EXPORTER_OTLP_ENDPOINT"
exec sleep infinity
`;

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** The two release archives, built with the controller's zip and tar. */
function archives(): { zip: Buffer; tarball: Buffer } {
  const dir = mkdtempSync(path.join(tmpdir(), "observability-agent-"));
  try {
    writeFileSync(path.join(dir, "alloy-linux-amd64"), alloyStandIn, { mode: 0o755 });
    writeFileSync(path.join(dir, "beyla"), beylaStandIn, { mode: 0o755 });
    execFileSync("zip", ["-q", "-X", "alloy.zip", "alloy-linux-amd64"], { cwd: dir });
    execFileSync("tar", ["-czf", "beyla.tar.gz", "beyla"], { cwd: dir });
    return { zip: readFileSync(path.join(dir, "alloy.zip")), tarball: readFileSync(path.join(dir, "beyla.tar.gz")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Bits of CAP_DAC_READ_SEARCH (2), CAP_NET_RAW (13), CAP_SYS_PTRACE (19), CAP_PERFMON (38),
// CAP_BPF (39) and CAP_CHECKPOINT_RESTORE (40).
const beylaCaps = [2, 13, 19, 38, 39, 40].reduce((m, bit) => m | (1n << BigInt(bit)), 0n);

describe("the observability agent's units on a test host (stand-in binaries)", { timeout: 300_000 }, () => {
  it("run as their users with Roost's limits, capabilities and ordering", async () => {
    const { zip, tarball } = archives();
    const server = http.createServer((req, res) =>
      res.end(req.url === "/alloy-linux-amd64.zip" ? zip : req.url === "/beyla-linux-amd64.tar.gz" ? tarball : ""),
    );
    const fleet = (base: string) =>
      defineFleet({
        hosts: {
          alpha: host({
            address: "root@alpha",
            modules: [alloy, beyla],
            config: {
              services: {
                alloy: {
                  enable: true,
                  release: { url: `${base}/alloy-linux-amd64.zip`, sha256: sha256(zip) },
                  memoryMax: "256M",
                  remoteWrite: { mimir: { url: "http://127.0.0.1:9/api/v1/push", bearerTokenSecret: secret("mimir_token") } },
                  otlp: { exporters: { local: { endpoint: "http://127.0.0.1:4320" } } },
                },
                beyla: { enable: true, release: { url: `${base}/beyla-linux-amd64.tar.gz`, sha256: sha256(tarball) }, openPort: "8000" },
              },
            },
          }),
        },
      });
    let base = "";
    await runScenario({
      fleet: fleet("http://127.0.0.1:1"),
      secrets: { mimir_token: "e2e-remote-token" },
      async test({ hosts, deploy }) {
        const alpha = hosts.alpha!;
        await new Promise<void>((resolve) => server.listen(0, alpha.spec.gateway, resolve));
        base = `http://${alpha.spec.gateway}:${(server.address() as { port: number }).port}`;
        try {
          const [result] = await deploy({ fleet: fleet(base) });
          assert.equal(result!.status, "deployed", result!.error);

          const alloyLog = await alpha.succeed("journalctl -u alloy -o cat --no-pager");
          assert.match(
            alloyLog,
            /stand-in user=alloy groups=alloy systemd-journal GOMEMLIMIT=230MiB args=run --server\.http\.listen-addr=127\.0\.0\.1:12345 /,
          );
          assert.match(alloyLog, /stand-in config readable/);
          assert.match(alloyLog, /stand-in token readable/);
          assert.equal((await alpha.succeed("systemctl show -p MemoryMax --value alloy")).trim(), String(256 * 1024 ** 2));
          await alpha.fail("grep -r e2e-remote-token /var/lib/roost/current/");

          const beylaLog = await alpha.succeed("journalctl -u beyla -o cat --no-pager");
          // The unit asks for all six; a test host's container has a smaller bounding set (no CAP_BPF,
          // CAP_PERFMON, CAP_CHECKPOINT_RESTORE), and systemd grants what it allows.
          const configured = (await alpha.succeed("systemctl show -p AmbientCapabilities --value beyla")).trim().split(/\s+/).sort();
          assert.deepEqual(configured, [
            "cap_bpf",
            "cap_checkpoint_restore",
            "cap_dac_read_search",
            "cap_net_raw",
            "cap_perfmon",
            "cap_sys_ptrace",
          ]);
          const bounding = BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)$/m.exec(await alpha.succeed("cat /proc/1/status"))![1]}`);
          const amb = /CapAmb:=?\s*([0-9a-f]+)/.exec(beylaLog);
          assert.ok(amb, beylaLog);
          assert.equal(
            BigInt(`0x${amb[1]}`),
            beylaCaps & bounding,
            `ambient capabilities ${amb[1]}, bounding set ${bounding.toString(16)}`,
          );
          assert.doesNotMatch(beylaLog, /stand-in uid=0 /);
          assert.match(beylaLog, /BEYLA_OPEN_PORT=8000 OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:4318/);
          // The parameter is in Roost's sysctl file, optional: a container's kernel refuses it, which stops neither the switch nor Beyla.
          assert.equal((await alpha.succeed("cat /etc/sysctl.d/60-roost.conf")).trim(), "-kernel.perf_event_paranoid = 1");
          await alpha.succeed("systemctl is-active -q roost-sysctl.service");
          assert.equal((await alpha.succeed("systemctl is-active beyla")).trim(), "active");
          assert.match(await alpha.succeed("systemctl show -p After --value beyla"), /\balloy\.service\b/);
          const started = async (u: string) =>
            BigInt((await alpha.succeed(`systemctl show -p ActiveEnterTimestampMonotonic --value ${u}`)).trim());
          assert.ok((await started("alloy")) <= (await started("beyla")), "Beyla started after Alloy");
        } finally {
          server.close();
        }
      },
    });
  });
});

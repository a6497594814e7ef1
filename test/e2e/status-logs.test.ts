import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Lab } from "../../src/testing/lab.ts";
import { writeLabFleetFile } from "../../src/testing/lab-fleet-file.ts";
import { roostBin, runRoostAsync } from "../cli/run-roost.ts";

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/status-fleet.ts");

interface StatusJson {
  host: string;
  reachable: boolean;
  healthy: boolean;
  error: string | null;
  roundTrips: number;
  report: {
    current: string | null;
    activated: string | null;
    pending: unknown;
    down: unknown[];
    checks: { name: string; result: string }[];
    drift: unknown[];
  } | null;
}

describe("roost status and roost logs on real hosts", { timeout: 600_000 }, () => {
  let lab: Lab;
  let config: string;
  const stateDir = (name: string) => path.join(lab.dir, name);
  const roost = (args: string[], state = "state") =>
    runRoostAsync(["-c", config, "--ssh-config", lab.sshConfig, ...args], { env: { ROOST_STATE_DIR: stateDir(state) } });

  before(async () => {
    lab = await Lab.start({ hosts: ["alpha", "beta"] });
    config = writeLabFleetFile(lab, fixture, `e2e-status-${process.pid}`);
    const deployed = await roost(["deploy", "--quiet"]);
    assert.equal(deployed.code, 0, deployed.stdout + deployed.stderr);
    // A test host's own boot units (systemd-update-utmp) sometimes fail on a loaded machine; status
    // would rightly name them. The tests start from a host whose failures are the ones they make.
    for (const h of lab.hosts.values()) await h.succeed("systemctl is-system-running --wait >/dev/null || true; systemctl reset-failed");
  });
  after(async () => {
    if (config) rmSync(path.dirname(config), { recursive: true, force: true });
    await lab?.close();
  });

  it("shows each host on its generation, every check healthy, no drift; exit 0", async () => {
    const r = await roost(["status"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const name of ["alpha", "beta"]) {
      const current = (await lab.host(name).succeed("readlink /var/lib/roost/current")).trim().replace("generations/", "");
      assert.match(
        r.stdout,
        new RegExp(`^✓ ${name}  ${current.slice(0, 12)}, activated \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z \\(\\d+ (s|min) ago\\)$`, "m"),
      );
    }
    assert.equal(r.stdout.match(/^ {4}✓ check greeter$/gm)?.length, 2, r.stdout);
    assert.equal(r.stdout.match(/^ {4}✓ check ticker$/gm)?.length, 2, r.stdout);
    assert.equal(r.stdout.match(/^ {4}✓ files: no drift$/gm)?.length, 2, r.stdout);
    assert.equal(r.stdout.match(/^ {4}✓ units: none failed$/gm)?.length, 2, r.stdout);
    assert.doesNotMatch(r.stdout, /✗|!/);

    const json = await roost(["status", "alpha", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const [alpha] = JSON.parse(json.stdout) as StatusJson[];
    assert.equal(alpha!.host, "alpha");
    assert.equal(alpha!.healthy, true);
    assert.equal(alpha!.roundTrips, 1);
    assert.deepEqual(alpha!.report!.checks, [
      { name: "greeter", result: "ok", reason: null },
      { name: "ticker", result: "ok", reason: null },
    ]);
    assert.deepEqual(alpha!.report!.down, []);
    assert.deepEqual(alpha!.report!.drift, []);
    assert.equal(alpha!.report!.pending, null);
  });

  it("names a stopped unit, the checks it fails and a file edited by hand; exit 1", async () => {
    await lab.host("alpha").succeed("systemctl stop ticker.service && echo 'edited by hand' > /srv/greeter/index.html");
    const r = await roost(["status"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const [alpha, beta] = r.stdout.split("\n\n");
    assert.match(alpha!, /^✗ alpha {2}[0-9a-f]{12}, activated /);
    assert.match(alpha!, /^ {4}✗ unit ticker\.service: inactive$/m);
    assert.match(alpha!, /^ {4}✗ check ticker: ticker\.service is inactive$/m);
    assert.match(alpha!, /^ {4}✗ check greeter: http:\/\/127\.0\.0\.1:8080\/ the body does not contain "hello"$/m);
    assert.match(alpha!, /^ {4}! drift: \/srv\/greeter\/index\.html edited on the host$/m);
    assert.match(beta!, /^✓ beta {2}[0-9a-f]{12}, activated /);

    const [json] = JSON.parse((await roost(["status", "alpha", "--json"])).stdout) as StatusJson[];
    assert.equal(json!.healthy, false);
    assert.deepEqual(json!.report!.down, [{ unit: "ticker.service", state: "inactive" }]);
    assert.deepEqual(json!.report!.drift, [{ kind: "changed", path: "/srv/greeter/index.html" }]);
  });

  it("prints a unit's journal lines, and only that unit's", async () => {
    const r = await roost(["logs", "alpha", "chatter", "-n", "20"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\w{3} [ \d]\d \d\d:\d\d:\d\d alpha \S+: chatter says hello$/m);
    const lines = r.stdout.trim().split("\n");
    assert.ok(lines.length <= 20, r.stdout);
    assert.doesNotMatch(r.stdout, /ticker|greeter/);

    const since = await roost(["logs", "alpha", "chatter.service", "--since", "1h", "-o", "cat"]);
    assert.equal(since.code, 0, since.stderr);
    assert.match(since.stdout, /^chatter says hello$/m);
  });

  it("refuses a bad unit name, --since or --output as a usage error, before reaching the host", async () => {
    const bad = await roost(["logs", "alpha", "x;reboot"], "never-used");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /error: not a unit name: "x;reboot"/);
    assert.equal(bad.stdout, "");
    for (const args of [["--since", "yesterday; reboot"], ["-o", "nonsense"], ["-n", "many"], ["../../etc/passwd"]]) {
      const r = await roost(["logs", "alpha", ...args], "never-used");
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    }
    // No SSH connection was ever opened with this state directory.
    assert.equal(existsSync(stateDir("never-used")), false);
  });

  it("follows the journal: streams a line written after it started, and stops on SIGINT with exit 0", async () => {
    const child = spawn(process.execPath, [roostBin, "-c", config, "--ssh-config", lab.sshConfig, "logs", "alpha", "-f", "-n", "1"], {
      env: { ...process.env, NO_COLOR: "1", ROOST_STATE_DIR: stateDir("state") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const until = async (what: string, test: () => boolean) => {
      const deadline = Date.now() + 30_000;
      while (!test()) {
        if (Date.now() > deadline) throw new Error(`${what} within 30 s; stdout: ${stdout}; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until("the last line of the journal", () => stdout.includes("\n"));
    const marker = `written-after-start-${process.pid}`;
    await lab.host("alpha").succeed(`logger -t roost-e2e ${marker}`);
    await until("the line written after the start", () => stdout.includes(marker));
    assert.match(stdout, new RegExp(`^\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d alpha roost-e2e(\\[\\d+\\])?: ${marker}$`, "m"));
    child.kill("SIGINT");
    assert.equal(await closed, 0, stderr);
    assert.equal(stderr, "");
    // The host's journalctl ends with the stream.
    await lab.host("alpha").waitUntilSucceeds("! busybox pgrep -f 'journalctl.*--follow'", 10_000);
  });

  it("reports an unreachable host within the connect timeout, and the others as usual", async () => {
    const beta = lab.host("beta");
    await beta.succeed(
      "printf '%s\\n' 'table inet cut { chain input { type filter hook input priority -300; policy accept; tcp dport 22 drop; }; }' > /root/cut.nft && nft -c -f /root/cut.nft",
    );
    // Applied by a timer, after this command's own connection has closed.
    await beta.succeed("systemd-run --quiet --on-active=1 --timer-property=AccuracySec=100ms /usr/sbin/nft -f /root/cut.nft");
    await new Promise((r) => setTimeout(r, 3000));
    const started = Date.now();
    // A new state directory: no kept connection to beta that would outlive the cut.
    const r = await roost(["status"], "state-after-cut");
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^✗ beta {2}unreachable\n {4}cannot reach beta \(root@[\d.]+\): .*(timed out|no answer within 10 s)/m);
    assert.match(r.stdout, /^✗ alpha {2}[0-9a-f]{12}, activated /m);
    assert.ok(seconds < 20, `status took ${seconds} s with a 10 s connect timeout`);
  });
});

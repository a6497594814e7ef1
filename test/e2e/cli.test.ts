import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Lab } from "../../src/testing/lab.ts";
import { writeLabFleetFile } from "../../src/testing/lab-fleet-file.ts";
import { runOk } from "../../src/run-command.ts";
import { runRoostAsync } from "../cli/run-roost.ts";

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/greeter-fleet.ts");

describe("the roost command on a real host, logged in as a sudo user", { timeout: 600_000 }, () => {
  let lab: Lab;
  let config: string;
  const roost = (args: string[], greeting = "hello") =>
    runRoostAsync(["-c", config, "--ssh-config", lab.sshConfig, ...args], {
      env: { GREETING: greeting, ROOST_STATE_DIR: path.join(lab.dir, "state") },
    });

  before(async () => {
    lab = await Lab.start({ hosts: ["alpha"] });
    // A fresh host with only sshd and a sudo-capable user: the first deploy brings everything else.
    await lab
      .host("alpha")
      .succeed(
        "useradd -m -s /bin/bash deploy && install -d -o deploy -m 700 ~deploy/.ssh && install -o deploy -m 600 /root/.ssh/authorized_keys ~deploy/.ssh/ && echo 'deploy ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/deploy",
      );
    config = writeLabFleetFile(lab, fixture, `e2e-cli-${process.pid}`, "deploy");
  });
  after(async () => {
    rmSync(path.dirname(config), { recursive: true, force: true });
    await lab.close();
  });

  it("plans a first deploy of a host that never had one", async () => {
    const r = await roost(["plan"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^alpha: \(nothing\) → [0-9a-f]{12}$/m);
    assert.match(r.stdout, /\+\/srv\/greeter\/index\.html/);
    assert.match(r.stdout, /start +greeter\.service, roost-firewall\.service, roost-recover\.service, ticker\.service/);
    assert.match(r.stdout, /^ {4}\+hello$/m);
  });

  it("deploys over sudo, and a second deploy changes nothing", async () => {
    const first = await roost(["deploy", "--quiet"]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /^alpha +deployed +[0-9a-f]{12} +\d+ files; started/m);
    assert.equal((await lab.host("alpha").succeed("curl -sf http://127.0.0.1:8080/")).trim(), "hello");
    const again = await roost(["deploy", "--json"]);
    const [result] = JSON.parse(again.stdout) as { status: string; roundTrips: number }[];
    assert.equal(result!.status, "unchanged");
    assert.equal(result!.roundTrips, 1);
  });

  it("sends the entry point's install only to a host not known to have it, and installs it again on a host that lost it", async () => {
    const alpha = lab.host("alpha");
    const version = (await alpha.succeed("cat /usr/local/lib/roost/version")).trim();
    assert.match(version, /^[0-9a-f]{16}$/);
    const lose = () => alpha.succeed("rm /usr/local/lib/roost/version");
    // The controller recorded the version after the first deploy, so the no-op sends the short
    // command; a host without the entry point refuses it, and gets it installed in a second one.
    await lose();
    const [noop] = JSON.parse((await roost(["deploy", "--json"])).stdout) as { status: string; roundTrips: number }[];
    assert.equal(noop!.status, "unchanged");
    assert.equal(noop!.roundTrips, 2);
    assert.equal((await alpha.succeed("cat /usr/local/lib/roost/version")).trim(), version);
    await lose();
    const status = await roost(["status", "alpha", "--json"]);
    assert.equal(status.code, 0, status.stderr);
    const [report] = JSON.parse(status.stdout) as { healthy: boolean; roundTrips: number }[];
    assert.deepEqual([report!.healthy, report!.roundTrips], [true, 2]);
    await lose();
    const logs = await roost(["logs", "alpha", "greeter", "-n", "5"]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /greeter/);
    // Known again: one round trip.
    const [again] = JSON.parse((await roost(["deploy", "--json"])).stdout) as { roundTrips: number }[];
    assert.equal(again!.roundTrips, 1);
  });

  it("shows a changed file as a diff and the unit it restarts, without changing anything", async () => {
    for (const args of [["plan"], ["deploy", "--dry-run"]]) {
      const r = await roost(args, "bye");
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /~\/srv\/greeter\/index\.html/);
      assert.match(r.stdout, /restart +greeter\.service/);
      assert.match(r.stdout, /^ {4}-hello\n {4}\+bye$/m);
    }
    assert.equal((await lab.host("alpha").succeed("cat /srv/greeter/index.html")).trim(), "hello");
  });

  it("lists generations and rolls back to the previous one", async () => {
    assert.equal((await roost(["deploy", "--quiet"], "bye")).code, 0);
    const gens = await roost(["generations", "alpha"]);
    assert.equal(gens.code, 0, gens.stderr);
    assert.equal(gens.stdout.trim().split("\n").length, 3, gens.stdout);
    assert.match(gens.stdout, /\(current\)/);
    const back = await roost(["rollback", "alpha"]);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /^alpha: [0-9a-f]{12} → [0-9a-f]{12}$/m);
    assert.equal((await lab.host("alpha").succeed("curl -sf http://127.0.0.1:8080/")).trim(), "hello");
    const [noop] = JSON.parse((await roost(["deploy", "--json"])).stdout) as { status: string }[];
    assert.equal(noop!.status, "unchanged");
  });

  it("prints the host key to pin, and says whether it matches", async () => {
    const r = await roost(["hosts", "keyscan"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `alpha: hostKey: ${JSON.stringify(lab.host("alpha").hostKey)},  // matches the pinned key`);
  });

  it("refuses a host whose key is not the pinned one", async () => {
    const wrongKeyFile = path.join(lab.dir, "wrong_key");
    await runOk("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", wrongKeyFile]);
    const wrongKey = readFileSync(`${wrongKeyFile}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
    const original = readFileSync(config, "utf8");
    writeFileSync(config, original.replace(lab.host("alpha").hostKey, wrongKey));
    try {
      const r = await runRoostAsync(["-c", config, "--ssh-config", lab.sshConfig, "deploy", "--quiet"], {
        env: { ROOST_STATE_DIR: path.join(lab.dir, "state2") },
      });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /alpha +FAILED +.*cannot reach alpha/);
    } finally {
      writeFileSync(config, original);
    }
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildHost } from "../../src/build/generation.ts";
import { deployHost, lockHolder, sshTarget } from "../../src/deploy/deploy-host.ts";
import { HostSession } from "../../src/deploy/session.ts";
import { FleetEvaluation } from "../../src/host/fleet.ts";
import { runScenario } from "../../src/testing/scenario.ts";
import { testFleet } from "./test-fleet.ts";

describe("many hosts, one lock each", { timeout: 600_000 }, () => {
  it("deploys 5 hosts in parallel; the one that fails does not stop the other four", async () => {
    const names = ["h1", "h2", "h3", "h4", "h5"];
    const fleet = testFleet(names, (n) =>
      n === "h3" ? { greeter: { expectBody: "something else" }, healthChecks: { greeter: { timeout: 5 } } } : {},
    );
    await runScenario({
      fleet,
      async test({ hosts, deploy }) {
        const results = await deploy({ allowFailure: true, jobs: 5 });
        assert.deepEqual(
          results.map((r) => [r.host, r.status]),
          names.map((n) => [n, n === "h3" ? "failed" : "deployed"]),
          results.map((r) => `${r.host}: ${r.error ?? "ok"}`).join("\n"),
        );
        assert.match(results[2]!.error!, /health check greeter failed/);
        for (const n of names.filter((n) => n !== "h3"))
          assert.equal((await hosts[n]!.succeed("curl -sf http://127.0.0.1:8080/")).trim(), "hello");
        await hosts.h3!.fail("test -e /var/lib/roost/current");
      },
    });
  });

  it("a host whose build fails is not deployed, and the lock it was asked for while the fleet built is released", async () => {
    const names = ["h1", "h2"];
    await runScenario({
      fleet: testFleet(names),
      async test({ hosts, deploy }) {
        // Evaluates, but cannot be built: its file's source is missing.
        const broken = testFleet(names, (n) => (n === "h2" ? { files: { "/etc/missing": { source: "/nonexistent/missing" } } } : {}));
        const results = await deploy({ fleet: broken, allowFailure: true });
        assert.deepEqual(
          results.map((r) => [r.host, r.status]),
          [
            ["h1", "deployed"],
            ["h2", "failed"],
          ],
        );
        assert.match(results[1]!.error!, /files\."\/etc\/missing"\.source: cannot read \/nonexistent\/missing/);
        await hosts.h2!.fail("test -e /var/lib/roost/current");
        await hosts.h2!.succeed("test ! -s /var/lib/roost/lock.info");
        const [, h2] = await deploy();
        assert.equal(h2!.status, "deployed");
        assert.deepEqual(h2!.notes, [], "no lock was left behind");
      },
    });
  });

  it("refuses a second deploy to a host while one holds its lock, naming the holder; a dead holder's lock is released", async () => {
    await runScenario({
      fleet: testFleet(["alpha"]),
      async test({ deploy, ssh, onLab, hosts }) {
        await deploy();
        const fleet = onLab(testFleet(["alpha"], () => ({ greeter: { message: "second" } })));
        const gen = buildHost("alpha", new FleetEvaluation(fleet).host("alpha"));
        const host = fleet.hosts.alpha!;

        // Another deploy holds the lock: this one is refused and says by whom.
        const holder = await HostSession.open(sshTarget("alpha", host, ssh), "ops@laptop (pid 4242) since 2026-11-25T10:00:00Z", [], false);
        const refused = await deployHost("alpha", host, gen, { ssh });
        assert.equal(refused.status, "failed");
        assert.match(
          refused.error!,
          /alpha is being deployed by someone else: lock held by ops@laptop \(pid 4242\) since 2026-11-25T10:00:00Z/,
        );
        await holder.close();

        // A holder that dies (its ssh killed) releases the lock by itself.
        const target = sshTarget("alpha", host, { ...ssh, stateDir: ssh.stateDir });
        const doomed = target.spawn("status", [lockHolder(), "0"], { fresh: true });
        doomed.stdin!.write(".\n");
        await new Promise<void>((resolve) => doomed.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && resolve()));
        doomed.kill("SIGKILL");
        const after = await deployHost("alpha", host, gen, { ssh });
        assert.equal(after.status, "deployed", after.error);
        assert.match(after.notes.join("\n"), /a deploy by .* did not finish; its lock was released/);
        assert.equal((await hosts.alpha!.succeed("curl -sf http://127.0.0.1:8080/")).trim(), "second");
      },
    });
  });
});

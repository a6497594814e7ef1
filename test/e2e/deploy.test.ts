import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FleetEvaluation } from "../../src/host/fleet.ts";
import { buildHost } from "../../src/build/generation.ts";
import { listGenerations, rollbackHost } from "../../src/deploy/generations.ts";
import { planOneHost } from "../../src/deploy/plan-host.ts";
import { runScenario } from "../../src/testing/scenario.ts";
import { activeSince, testFleet } from "./test-fleet.ts";

const fleet = (config: object = {}) => testFleet(["alpha"], () => config);

describe("deploy to a real host", { timeout: 600_000 }, () => {
  it("deploys, redeploys as a no-op, changes one file, removes a unit, adds a package, rolls back", async () => {
    await runScenario({
      fleet: fleet(),
      async test({ hosts, deploy, ssh, onLab }) {
        const alpha = hosts.alpha!;

        // First deploy: everything starts and the health check passes.
        const [first] = await deploy();
        assert.equal(first!.status, "deployed");
        assert.deepEqual(first!.actions.started.sort(), [
          "greeter.service",
          "roost-firewall.service",
          "roost-recover.service",
          "ticker.service",
        ]);
        assert.equal((await alpha.succeed("curl -sf http://127.0.0.1:8080/")).trim(), "hello");
        assert.equal(first!.roundTrips, 3, "lock+status, send+activate, confirm");

        // No-op: one round trip, nothing restarted.
        const greeterSince = await activeSince(alpha, "greeter.service");
        const tickerSince = await activeSince(alpha, "ticker.service");
        const lockInfoWritten = () => alpha.succeed("stat -c %y /var/lib/roost/lock.info");
        const lockInfoBefore = await lockInfoWritten();
        const [noop] = await deploy();
        assert.equal(noop!.status, "unchanged");
        assert.equal(noop!.roundTrips, 1);
        // The host let its lock go as soon as it had reported: free, with no holder left behind,
        // and nothing written to say who held it for those milliseconds.
        await alpha.succeed("flock -n /var/lib/roost/lock true && test ! -s /var/lib/roost/lock.info");
        assert.equal(await lockInfoWritten(), lockInfoBefore, "a no-op writes no holder");
        assert.equal(await activeSince(alpha, "greeter.service"), greeterSince);
        assert.equal(await activeSince(alpha, "ticker.service"), tickerSince);

        // One file changes: one object travels, only its unit restarts.
        const [change] = await deploy({ fleet: fleet({ greeter: { message: "hello again" } }) });
        assert.equal(change!.status, "deployed");
        assert.equal(change!.plan!.transfer.objects, 1);
        assert.deepEqual(change!.actions.changedFiles, ["/srv/greeter/index.html"]);
        assert.deepEqual(change!.actions.restarted, ["greeter.service"]);
        assert.notEqual(await activeSince(alpha, "greeter.service"), greeterSince);
        assert.equal(await activeSince(alpha, "ticker.service"), tickerSince, "ticker was not restarted");
        assert.equal((await alpha.succeed("curl -sf http://127.0.0.1:8080/")).trim(), "hello again");

        // A unit goes away: it stops and its file is removed.
        const [removal] = await deploy({ fleet: fleet({ greeter: { message: "hello again" }, ticker: { enable: false } }) });
        assert.deepEqual(removal!.actions.stopped, ["ticker.service"]);
        await alpha.fail("systemctl is-active ticker.service");
        await alpha.fail("test -e /etc/systemd/system/ticker.service");

        // A package is added: apt installs it.
        await alpha.fail("command -v tree");
        const withTree = fleet({ greeter: { message: "hello again" }, ticker: { enable: false }, packages: ["tree"] });
        const [pkg] = await deploy({ fleet: withTree });
        assert.equal(pkg!.status, "deployed");
        await alpha.succeed("tree --version");

        // A hand edit shows as drift in the plan; the deploy restores the file and keeps the edit.
        await alpha.succeed("echo 'emergency edit' > /srv/greeter/index.html");
        const onLabFleet = onLab(withTree);
        const gen = buildHost("alpha", new FleetEvaluation(onLabFleet).host("alpha"));
        const { plan } = await planOneHost("alpha", onLabFleet.hosts.alpha!, gen, ssh);
        assert.deepEqual(plan.drift, [{ kind: "changed", path: "/srv/greeter/index.html" }]);
        assert.equal(plan.unchanged, false);
        const [restore] = await deploy({ fleet: withTree });
        assert.equal(restore!.status, "deployed");
        assert.equal((await alpha.succeed("cat /srv/greeter/index.html")).trim(), "hello again");
        assert.match(await alpha.succeed("cat /var/lib/roost/drift/*/srv/greeter/index.html"), /emergency edit/);

        // A failing health check: the host goes back to the generation it had.
        const before = (await alpha.succeed("readlink /var/lib/roost/current")).trim();
        const [broken] = await deploy({
          fleet: fleet({
            greeter: { message: "broken", expectBody: "never" },
            healthChecks: { greeter: { timeout: 5 } },
            ticker: { enable: false },
            packages: ["tree"],
          }),
          allowFailure: true,
        });
        assert.equal(broken!.status, "failed");
        assert.equal(broken!.rolledBack, true);
        assert.match(broken!.error!, /health check greeter failed: http:\/\/127\.0\.0\.1:8080\/ the body does not contain "never"/);
        assert.equal((await alpha.succeed("readlink /var/lib/roost/current")).trim(), before);
        assert.equal((await alpha.succeed("curl -sf http://127.0.0.1:8080/")).trim(), "hello again");
        await alpha.fail("test -e /var/lib/roost/pending");

        // Generations and an explicit rollback to the previous one.
        const host = onLab(fleet()).hosts.alpha!;
        const gens = await listGenerations("alpha", host, ssh);
        assert.equal(gens.filter((g) => g.current).length, 1);
        assert.ok(gens.filter((g) => g.activated).length >= 4);
        const back = await rollbackHost("alpha", host, ssh);
        assert.notEqual(back.to, back.from);
        assert.equal((await alpha.succeed("readlink /var/lib/roost/current")).trim(), `generations/${back.to}`);
        assert.equal((await alpha.succeed("curl -sf http://127.0.0.1:8080/")).trim(), "hello again");

        // A directory swapped for a symlink (by whoever owns it) never redirects Roost's writes.
        await alpha.succeed("mv /srv/greeter /srv/greeter.real && mkdir /tmp/elsewhere && ln -s /tmp/elsewhere /srv/greeter");
        const [redirected] = await deploy({ fleet: fleet({ greeter: { message: "through a link" } }), allowFailure: true });
        assert.equal(redirected!.status, "failed");
        assert.match(redirected!.error!, /refusing to write under \/srv\/greeter: \/srv\/greeter is a symbolic link/);
        await alpha.fail("ls /tmp/elsewhere/index.html");
        await alpha.succeed("rm /srv/greeter && mv /srv/greeter.real /srv/greeter");
        const [repaired] = await deploy({ fleet: fleet({ greeter: { message: "through a link" } }) });
        assert.equal(repaired!.status, "deployed");
      },
    });
  });

  it("keeps only deployment.keepGenerations generations and the objects they use", async () => {
    await runScenario({
      fleet: fleet(),
      async test({ hosts, deploy }) {
        for (const message of ["one", "two", "three", "four"])
          await deploy({ fleet: fleet({ greeter: { message }, deployment: { keepGenerations: 2 } }) });
        const alpha = hosts.alpha!;
        assert.equal((await alpha.succeed("ls /var/lib/roost/generations | wc -l")).trim(), "2");
        const stored = (await alpha.succeed("ls /var/lib/roost/store")).trim().split("\n").sort();
        const referenced = (await alpha.succeed("cut -f2 /var/lib/roost/generations/*/files.tsv | sort -u")).trim().split("\n");
        assert.deepEqual(stored, referenced);
      },
    });
  });
});

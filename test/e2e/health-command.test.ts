import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runScenario } from "../../src/testing/scenario.ts";
import { testFleet } from "./test-fleet.ts";

const fleet = (command: string[], more: object = {}) =>
  testFleet(["alpha"], () => ({ healthChecks: { "greeter-page": { type: "command", command, user: "greeter", timeout: 3, ...more } } }));

describe("health checks that run a command", { timeout: 300_000 }, () => {
  it("pass on the expected exit code, as the given user, and roll back on another", async () => {
    await runScenario({
      fleet: fleet(["/usr/bin/grep", "-q", "hello", "/srv/greeter/index.html"]),
      async test({ hosts, deploy }) {
        const alpha = hosts.alpha!;
        const [first] = await deploy();
        assert.equal(first!.status, "deployed");
        const id = (await alpha.succeed("readlink /var/lib/roost/current")).trim();

        // Arguments with spaces, quotes and % reach the program as written, and it runs as greeter.
        const word = `a b '%c"\\ $HOME`;
        const script = 'test "$(id -un)" = greeter && test "$(printf %s "$1" | od -An -tx1 | tr -d " \\n")" = "$2"';
        const [own] = await deploy({ fleet: fleet(["/bin/sh", "-c", script, "sh", word, Buffer.from(word).toString("hex")]) });
        assert.equal(own!.status, "deployed", own!.error);

        const current = (await alpha.succeed("readlink /var/lib/roost/current")).trim();
        assert.notEqual(current, id);
        const [broken] = await deploy({
          fleet: fleet(["/usr/bin/grep", "-q", "never there", "/srv/greeter/index.html"]),
          allowFailure: true,
        });
        assert.equal(broken!.status, "failed");
        assert.equal(broken!.rolledBack, true);
        assert.match(broken!.error!, /health check greeter-page failed: the command exited 1, expected 0/);
        assert.equal((await alpha.succeed("readlink /var/lib/roost/current")).trim(), current, "back on the generation before");

        const [expected] = await deploy({
          fleet: fleet(["/usr/bin/grep", "-q", "never there", "/srv/greeter/index.html"], { expectExitCode: 1 }),
        });
        assert.equal(expected!.status, "deployed", expected!.error);
      },
    });
  });
});

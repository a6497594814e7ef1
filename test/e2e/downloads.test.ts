import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import http from "node:http";
import { describe, it } from "node:test";
import { runScenario } from "../../src/testing/scenario.ts";
import { testFleet } from "./test-fleet.ts";

const program = "#!/bin/sh\necho downloaded hello\n";
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

describe("files downloaded by the host", { timeout: 300_000 }, () => {
  it("arrive checked against their pinned sha256, once; a different content is refused and rolled back", async () => {
    let requests = 0;
    await runScenario({
      fleet: testFleet(["alpha"]),
      async test({ hosts, deploy }) {
        const alpha = hosts.alpha!;
        // The controller's side of the lab's bridge: the only place a test host can download from.
        const server = http.createServer((req, res) => {
          requests++;
          res.end(req.url === "/hello" ? program : "something else\n");
        });
        await new Promise<void>((resolve) => server.listen(0, alpha.spec.gateway, resolve));
        const base = `http://${alpha.spec.gateway}:${(server.address() as { port: number }).port}`;
        const fleet = (file: string, hash: string) =>
          testFleet(["alpha"], () => ({ files: { "/usr/local/bin/hello": { url: `${base}/${file}`, sha256: hash, mode: "0755" } } }));
        try {
          const [first] = await deploy({ fleet: fleet("hello", sha256(program)) });
          assert.equal(first!.status, "deployed", first!.error);
          assert.deepEqual(first!.plan!.transfer.downloads, [`${base}/hello`]);
          assert.equal((await alpha.succeed("/usr/local/bin/hello")).trim(), "downloaded hello");
          assert.equal((await alpha.succeed("stat -c %a /usr/local/bin/hello")).trim(), "755");
          assert.equal(requests, 1);

          // The host has the content: a redeploy downloads nothing.
          const [again] = await deploy({ fleet: fleet("hello", sha256(program)) });
          assert.equal(again!.status, "unchanged");
          assert.equal(requests, 1);

          // The server now hands out something else under a pinned hash it does not match.
          const current = (await alpha.succeed("readlink /var/lib/roost/current")).trim();
          const [bad] = await deploy({ fleet: fleet("other", sha256("the content we expected\n")), allowFailure: true });
          assert.equal(bad!.status, "failed");
          assert.match(
            bad!.error!,
            new RegExp(
              `download ${base}/other has sha256 ${sha256("something else\n")}, not the pinned ${sha256("the content we expected\n")}`,
            ),
          );
          assert.equal((await alpha.succeed("readlink /var/lib/roost/current")).trim(), current);
          assert.equal((await alpha.succeed("/usr/local/bin/hello")).trim(), "downloaded hello");
          await alpha.fail(`ls /var/lib/roost/store/ | grep -q ${sha256("something else\n")}`);
        } finally {
          server.close();
        }
      },
    });
  });
});

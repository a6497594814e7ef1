import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Lab } from "../../src/testing/lab.ts";
import { writeLabFleetFile } from "../../src/testing/lab-fleet-file.ts";
import { runRoostAsync } from "../cli/run-roost.ts";

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/wide-fleet.ts");

interface Result {
  readonly host: string;
  readonly status: string;
  readonly unreachable?: boolean;
  readonly seconds: number;
  readonly actions: { readonly started: string[]; readonly restarted: string[] };
}

describe("a fleet with a host that cannot be reached", { timeout: 600_000 }, () => {
  let lab: Lab;
  let config: string;
  const roost = (args: string[], env: Record<string, string> = {}) =>
    runRoostAsync(["-c", config, "--ssh-config", lab.sshConfig, "deploy", "-q", ...args], {
      env: { GREETING: "hello", ROOST_STATE_DIR: path.join(lab.dir, "state"), ...env },
    });
  const page = async (host: string) => (await lab.host(host).succeed("curl -sf http://127.0.0.1:8080/")).trim();

  before(async () => {
    lab = await Lab.start({ hosts: ["alpha", "beta", "gamma"] });
    config = writeLabFleetFile(lab, fixture, `e2e-wide-${process.pid}`);
  });
  after(async () => {
    rmSync(path.dirname(config), { recursive: true, force: true });
    await lab.close();
  });

  it("reports it as unreachable within the connect timeout without holding up the others; --retry-failed deploys only it", async () => {
    const first = await roost([]);
    assert.equal(first.code, 0, first.stdout + first.stderr);

    // gamma goes away while the kept connection from the first deploy still looks open.
    await lab.host("gamma").cutNetwork();
    const started = Date.now();
    const cut = await roost(["--json"], { GREETING: "second" });
    const wall = (Date.now() - started) / 1000;
    assert.equal(cut.code, 1);
    const results = JSON.parse(cut.stdout) as Result[];
    assert.deepEqual(
      results.map((r) => [r.host, r.status, r.unreachable ?? false]),
      [
        ["alpha", "deployed", false],
        ["beta", "deployed", false],
        ["gamma", "failed", true],
      ],
    );
    // The connect timeout is 10 s; the reachable hosts finished long before it.
    assert.ok(wall < 16, `the deploy took ${wall} s`);
    for (const r of results.slice(0, 2)) assert.ok(r.seconds < 8, `${r.host} took ${r.seconds} s`);
    assert.equal(await page("alpha"), "second");
    assert.equal(await page("beta"), "second");
    const record = JSON.parse(readFileSync(path.join(path.dirname(config), ".roost/last-deploy.json"), "utf8")) as { failed: string[] };
    assert.deepEqual(record.failed, ["gamma"]);

    // The summary names the host and ends with the command that retries it.
    const again = await roost([], { GREETING: "second" });
    assert.equal(again.code, 1);
    assert.match(again.stdout, /^gamma +UNREACHABLE +/m);
    assert.match(again.stdout, /roost deploy --retry-failed\n$/);

    await lab.host("gamma").restoreNetwork();
    const retried = await roost(["--retry-failed", "--json"], { GREETING: "second" });
    assert.equal(retried.code, 0, retried.stdout + retried.stderr);
    assert.deepEqual(
      (JSON.parse(retried.stdout) as Result[]).map((r) => [r.host, r.status]),
      [["gamma", "deployed"]],
    );
    assert.equal(await page("gamma"), "second");
    const nothing = await roost(["--retry-failed"], { GREETING: "second" });
    assert.equal(nothing.code, 0);
    assert.match(nothing.stdout, /nothing to retry/);
  });

  it("restarts a unit that was already running when Roost first writes its unit file", async () => {
    const alpha = lab.host("alpha");
    // As a package's postinst would: its own vendord.service, enabled and running.
    await alpha.succeed(
      "mkdir -p /srv/vendor && echo vendor > /srv/vendor/index.html && printf '[Service]\\nExecStart=/bin/busybox httpd -f -p 8091 -h /srv/vendor\\n[Install]\\nWantedBy=multi-user.target\\n' > /lib/systemd/system/vendord.service && systemctl daemon-reload && systemctl enable --now vendord.service",
    );
    await alpha.waitUntilSucceeds("curl -sf http://127.0.0.1:8091/ | grep -qx vendor");
    const r = await roost(["alpha", "--json"], { GREETING: "second", VENDOR_UNIT: "1" });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [result] = JSON.parse(r.stdout) as Result[];
    assert.deepEqual(result!.actions.restarted, ["vendord.service"]);
    assert.deepEqual(result!.actions.started, []);
    // Roost's definition runs: it serves the greeter's page.
    assert.equal((await alpha.succeed("curl -sf http://127.0.0.1:8091/")).trim(), "second");
  });
});

import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { UsageError } from "../context.ts";
import { logsCommand, type LogsOptions } from "./logs.ts";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const monitored = path.join(repo, "test/fixtures/fleet-logs/monitored.config.ts");
const withoutServer = path.join(repo, "test/fixtures/selection/tags.config.ts");

/** The usage error `roost logs [host] [unit] <opts>` ends with; its hosts are at .invalid addresses, so none is contacted. */
async function refusal(host: string | undefined, unit: string | undefined, opts: Partial<LogsOptions>, config = monitored) {
  const all: LogsOptions = { config, debug: false, follow: false, output: "short", ...opts };
  const e = await logsCommand(host, unit, all).then(
    () => assert.fail("accepted"),
    (e: unknown) => e,
  );
  assert.ok(e instanceof UsageError, String(e));
  return e.headline;
}

describe("roost logs --fleet arguments", () => {
  it("takes --host and --unit, not positional ones, with --fleet", async () => {
    assert.equal(await refusal("tiger", undefined, { fleet: true }), "--fleet takes no host or unit argument");
    assert.equal(await refusal("tiger", "nginx", { fleet: true, follow: true }), "--fleet takes no host or unit argument");
    assert.equal(await refusal(undefined, undefined, { host: "tiger" }), "--host and --unit go with --fleet");
    assert.equal(await refusal("tiger", undefined, { unit: "nginx", since: "1h" }), "--host and --unit go with --fleet");
    assert.equal(await refusal(undefined, undefined, { follow: true }), "name a host, or --fleet");
  });

  it("refuses a bad --unit, --since or --host before reading the fleet file", async () => {
    const nowhere = path.join(repo, "no-such-fleet.config.ts");
    assert.equal(await refusal(undefined, undefined, { fleet: true, unit: "x;reboot" }, nowhere), 'not a unit name: "x;reboot"');
    assert.equal(
      await refusal(undefined, undefined, { fleet: true, host: "tiger", since: "yesterday; reboot", follow: true }, nowhere),
      '--since: not a duration or a time: "yesterday; reboot"',
    );
    for (const host of ["*", "../cheetah", "-x", "t;reboot"])
      assert.equal(await refusal(undefined, undefined, { fleet: true, host }, nowhere), `--host: not a host name: ${JSON.stringify(host)}`);
  });

  it("refuses a host the fleet lacks, and a fleet without a monitoring server", async () => {
    assert.match(await refusal(undefined, undefined, { fleet: true, host: "lion", unit: "nginx" }), /^no host named "lion" in the fleet/);
    assert.equal(
      await refusal(undefined, undefined, { fleet: true, since: "1h" }, withoutServer),
      "--fleet reads the monitoring server's journals, but no host of the fleet has monitoring.server.enable",
    );
  });
});

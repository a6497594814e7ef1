import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { run, type CommandResult } from "../../src/run-command.ts";
import { repoRoot } from "./run-roost.ts";

// The package as a user gets it: packed, installed into a project outside the repository, and
// run from that project's node_modules.
describe("roost init, from the packed and installed package", { timeout: 600_000 }, () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "roost-init-"));
  const project = path.join(scratch, "project");
  const fleet = path.join(project, "my-fleet");
  let tarball: string;
  const npm = (args: string[], cwd: string) => run("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd });
  const roost = (args: string[], cwd: string) =>
    run(path.join(project, "node_modules/.bin/roost"), args, { cwd, env: { ...process.env, NO_COLOR: "1" } });
  const ok = (r: CommandResult, what: string) => assert.equal(r.code, 0, `${what}:\n${r.stdout}${r.stderr}`);

  before(async () => {
    ok(await npm(["pack", "--pack-destination", scratch], repoRoot), "npm pack");
    tarball = path.join(scratch, readdirSync(scratch).find((f) => f.endsWith(".tgz"))!);
    ok(await run("mkdir", [project]), "mkdir");
    writeFileSync(path.join(project, "package.json"), '{ "private": true }\n');
    ok(await npm(["install", tarball], project), "npm install <tarball>");
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("ships the bundle, the sources its types come from, and no tests", async () => {
    const listing = await run("tar", ["tzf", tarball]);
    const files = listing.stdout.split("\n");
    for (const f of [
      "package/bin/roost.js",
      "package/dist/cli/main.js",
      "package/dist/index.js",
      "package/dist/testing/index.js",
      "package/src/index.ts",
      "package/src/deploy/host/activate.sh",
    ]) {
      assert.ok(files.includes(f), `${f} is packed`);
    }
    assert.ok(!files.some((f) => f.endsWith(".test.ts")), "no test files");
    assert.ok(!files.includes("package/dist/inputs.json"), "no record of the packing machine's paths");
  });

  it("scaffolds a fleet that depends on the tarball it was installed from", async () => {
    const r = await roost(["init", "my-fleet"], project);
    ok(r, "roost init");
    assert.match(r.stdout, /roost test tests\/site\.scenario\.ts/);
    const manifest = JSON.parse(readFileSync(path.join(fleet, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    assert.equal(manifest.dependencies.roost, `file:../../${path.basename(tarball)}`);
    assert.match(readFileSync(path.join(fleet, ".gitignore"), "utf8"), /^node_modules\/$/m);
    const again = await roost(["init", "my-fleet"], project);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already has roost\.config\.ts/);
  });

  it("passes roost check as generated", async () => {
    const r = await roost(["check"], fleet);
    ok(r, "roost check");
    assert.match(r.stdout, /all 2 hosts passed the check/);
  });

  it("type-checks with the project's own npm install and tsc, and tsc catches a misspelt option", async () => {
    ok(await npm(["install"], fleet), "npm install in the fleet");
    ok(await run(path.join(fleet, "node_modules/.bin/tsc"), ["--noEmit"], { cwd: fleet }), "tsc");
    const config = path.join(fleet, "roost.config.ts");
    const original = readFileSync(config, "utf8");
    writeFileSync(config, original.replace("title:", "titel:"));
    const broken = await run(path.join(fleet, "node_modules/.bin/tsc"), ["--noEmit"], { cwd: fleet });
    writeFileSync(config, original);
    assert.notEqual(broken.code, 0);
    assert.match(broken.stdout, /roost\.config\.ts\(\d+,\d+\): error TS\d+:[\s\S]*'titel' does not exist/);
  });

  it("passes roost test of the generated scenario on real test hosts", async () => {
    const r = await roost(["test", "tests/site.scenario.ts"], fleet);
    ok(r, "roost test");
    assert.match(r.stdout, /^✓ the web host serves its page to the client/m);
  });
});

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { repoRoot, runRoost } from "./run-roost.ts";

const example = "examples/homelab/roost.config.ts";
const scratch = mkdtempSync(path.join(tmpdir(), "roost-cli-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("roost check", () => {
  it("passes the example with systemd-analyze verify and nft -c really run", () => {
    const run = runRoost(["check", "-c", example]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /✓ web {2}\(evaluated, built, systemd-analyze verify, nft -c\)/);
    assert.match(run.stdout, /✓ vault {2}\(evaluated, built, systemd-analyze verify, nft -c\)/);
    assert.doesNotMatch(run.stdout, /not run:|error/);
  });
  it("counts the commands that only the host provides, and lists them with -v", () => {
    const fixture = "test/fixtures/validators/host-only-command.config.ts";
    const run = runRoost(["check", "-c", fixture]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /^✓ web .*\n {4}1 command in a unit is not on this machine; the host's packages provide it \(roost check -v lists it\)$/m,
    );
    const verbose = runRoost(["check", "-v", "-c", fixture]);
    assert.match(
      verbose.stdout,
      /^ {4}note: systemd-analyze verify: tool\.service: Command \/usr\/lib\/roost-fixture-tool\/run is not executable/m,
    );
  });
  it("fails on a unit key systemd does not know, naming it", () => {
    const run = runRoost(["check", "-c", "test/fixtures/validators/bad-unit.config.ts"]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /error: systemd-analyze verify: app\.service:\d+: Unknown key '?RestartSecs'?/);
  });
  it("fails on a firewall rule nftables rejects, naming the ruleset", () => {
    const run = runRoost(["check", "-c", "test/fixtures/validators/bad-firewall.config.ts"]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /error: nft -c: [\s\S]*\/etc\/roost\/firewall\.nft/);
    assert.match(run.stdout, /smtpx/);
  });
  it("reports a host's error once, and under each host that reads it one line naming what read it through nodes", () => {
    const fixture = "test/fixtures/errors/read-through-nodes.config.ts";
    const run = runRoost(["check", "-c", fixture]);
    assert.equal(run.code, 1);
    const site = /80000 {2}defined in test\/fixtures\/errors\/read-through-nodes\.config\.ts:\d+:\d+/g;
    assert.equal(run.stdout.match(site)?.length, 1, run.stdout);
    assert.match(
      run.stdout,
      /^✗ web\n {4}error: networking\.firewall\.allowedTCPPorts\[1\]: expected port number \(0–65535\)\n {6}80000 {2}defined in/m,
    );
    assert.match(
      run.stdout,
      /^✗ mon\n {4}error: via nodes\.web: networking\.firewall\.allowedTCPPorts\[1\]: expected port number \(0–65535\)\n {6}read by mon's files\."\/etc\/motd"\.text; the error is shown under web$/m,
    );
    assert.match(
      run.stdout,
      /^✗ vault\n {4}error: via nodes\.web: networking\.firewall\.allowedTCPPorts\[1\]: expected port number \(0–65535\)\n {6}read by vault's config function at test\/fixtures\/errors\/read-through-nodes\.config\.ts:\d+:\d+; the error is shown under web$/m,
    );
  });
  it("shows the whole error under a host that reads it when the host it comes from is not checked", () => {
    const run = runRoost(["check", "-c", "test/fixtures/errors/read-through-nodes.config.ts", "vault"]);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /error: via nodes\.web: networking\.firewall\.allowedTCPPorts\[1\]: expected port number \(0–65535\)\n {6}80000 {2}defined in [^\n]+\n {6}read by vault's config function at /,
    );
  });
  it("checks only the hosts named", () => {
    const run = runRoost(["check", "-c", example, "vault"]);
    assert.equal(run.code, 0);
    assert.doesNotMatch(run.stdout, /web/);
  });
});

describe("roost build", () => {
  it("writes each host's manifest, id and file tree", () => {
    const out = path.join(scratch, "result");
    const run = runRoost(["build", "-c", example, "-o", out]);
    assert.equal(run.code, 0, run.stderr);
    const manifest = JSON.parse(readFileSync(path.join(out, "web/manifest.json"), "utf8"));
    assert.equal(manifest.host, "web");
    assert.ok(manifest.units["site.service"].sha256);
    assert.deepEqual(manifest.files["/etc/motd"].mode, "0644");
    assert.match(readFileSync(path.join(out, "web/root/etc/systemd/system/site.service"), "utf8"), /^ExecStart=\/bin\/busybox httpd/m);
    assert.match(readFileSync(path.join(out, "web/id"), "utf8"), /^[0-9a-f]{32}\n$/);
    assert.match(run.stdout, /^web +[0-9a-f]{32} {2}\d+ files, \d+ units/m);
  });
  it("builds one host when named", () => {
    const out = path.join(scratch, "one");
    assert.equal(runRoost(["build", "-c", example, "-o", out, "vault"]).code, 0);
    assert.ok(existsSync(path.join(out, "vault/manifest.json")));
    assert.ok(!existsSync(path.join(out, "web")));
  });
});

describe("roost options", () => {
  it("lists every option with type, default, description and declaration site as JSON", () => {
    const run = runRoost(["options", "--json", "-c", example]);
    assert.equal(run.code, 0, run.stderr);
    const docs = JSON.parse(run.stdout) as { path: string; type: string; default: string | null; declaredIn: string }[];
    const port = docs.find((d) => d.path === "networking.firewall.allowedTCPPorts")!;
    assert.equal(port.type, "list of port number (0–65535)");
    assert.equal(port.default, "[]");
    assert.match(port.declaredIn, /^src\/host\/firewall\/options\.ts:\d+:\d+$/);
    assert.ok(
      docs.some((d) => d.path === "users.users.<name>.home"),
      "submodule options are expanded",
    );
    assert.ok(docs.some((d) => d.path === "systemd.services.<name>.serviceConfig.ProtectSystem"));
    assert.ok(
      docs.some((d) => d.path === "site.port"),
      "the fleet's own modules are documented",
    );
  });
  it("lists each option as text with where it is declared", () => {
    const run = runRoost(["options", "-c", example]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^networking\.firewall\.allowPing {2}\(boolean\) {2}default: true\n {4}Answer ICMP echo requests\.\n {4}declared in src\/host\/firewall\/options\.ts:\d+:\d+$/m,
    );
    assert.match(run.stdout, /^site\.port .*\n.*\n {4}declared in examples\/homelab\/modules\/static-site\.ts:\d+:\d+$/m);
  });
  it("renders Markdown", () => {
    const run = runRoost(["options", "--markdown", "-c", example]);
    assert.match(run.stdout, /^## `files\.<name>\.mode`$/m);
  });
});

describe("roost eval", () => {
  it("prints a final value and where each definition came from", () => {
    const run = runRoost(["eval", "-c", example, "web", "networking.firewall.allowedTCPPorts"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [8080, 80]);
    assert.match(run.stderr, /\[80\] +defined in examples\/homelab\/roost\.config\.ts:\d+:\d+/);
    assert.match(run.stderr, /defined in examples\/homelab\/modules\/static-site\.ts:\d+:\d+/);
  });
  it("shows mkDefault and mkForce definitions with their values, priorities and the lines that set them", () => {
    const fixture = "test/fixtures/eval/priorities.config.ts";
    const lines = readFileSync(path.join(repoRoot, fixture), "utf8").split("\n");
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    const run = runRoost(["eval", "-c", fixture, "box", 'files."/etc/motd".text']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "forced\n\n");
    assert.doesNotMatch(run.stderr, /<mk/);
    const shown = run.stderr
      .trim()
      .split("\n")
      .map((l) => l.trim());
    assert.equal(shown.length, 2, run.stderr);
    assert.match(
      shown[0]!,
      new RegExp(
        `^"from the module\\\\n" +defined in test/fixtures/eval/priorities\\.config\\.ts:${lineOf('text: mkDefault("from')}:\\d+ \\(mkDefault, priority 1000\\) overridden$`,
      ),
    );
    assert.match(
      shown[1]!,
      new RegExp(
        `^"forced\\\\n" +defined in test/fixtures/eval/priorities\\.config\\.ts:${lineOf('text: mkForce("forced')}:\\d+ \\(mkForce, priority 50\\)$`,
      ),
    );
  });
  it("points a plain definition at its own line, and marks the option's default as overridden", () => {
    const fixture = "test/fixtures/eval/priorities.config.ts";
    const line =
      readFileSync(path.join(repoRoot, fixture), "utf8")
        .split("\n")
        .findIndex((l) => l.includes("allowPing: false")) + 1;
    const run = runRoost(["eval", "-c", fixture, "box", "networking.firewall.allowPing"]);
    assert.equal(run.stdout, "false\n");
    assert.match(
      run.stderr,
      new RegExp(`^ {2}false +defined in test/fixtures/eval/priorities\\.config\\.ts:${line}:\\d+ \\(plain, priority 100\\)$`, "m"),
    );
    assert.match(
      run.stderr,
      /^ {2}true +default declared in src\/host\/firewall\/options\.ts:\d+:\d+ \(option default, priority 1500\) overridden$/m,
    );
  });
  it("reads into a submodule", () => {
    const run = runRoost(["eval", "-c", example, "web", "systemd.services.site.serviceConfig.User"]);
    assert.equal(run.stdout.trim(), "site");
  });
  it("suggests an option for a typo", () => {
    const run = runRoost(["eval", "-c", example, "web", "networking.firewal.enable"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /did you mean networking\.firewall/);
  });
  it("refuses an unknown host with a usage error", () => {
    const run = runRoost(["eval", "-c", example, "nohost", "networking.hostName"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no host named "nohost"[\s\S]*hosts: vault, web/);
  });
});

describe("the command line", () => {
  it("says when there is no fleet file", () => {
    const run = runRoost(["check", "-c", path.join(scratch, "missing.ts")]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no fleet file at/);
  });
  it("prints a syntax error in the fleet file once, with its line and a caret, and no hint about stack traces", () => {
    const dir = mkdtempSync(path.join(scratch, "syntax-"));
    const line = `export default defineFleet({ hosts: { web: host({ address: "root@10.0.0.1" ) } });`;
    writeFileSync(path.join(dir, "roost.config.ts"), `import { defineFleet, host } from "roost";\n${line}\n`);
    const run = runRoost(["check"], { cwd: dir });
    assert.equal(run.code, 1);
    const column = line.indexOf(")") + 1;
    assert.equal(
      run.stdout + run.stderr,
      `error: Expected "}" but found ")"\n  in roost.config.ts:2:${column}\n  2 | ${line}\n    | ${" ".repeat(column - 1)}^\n`,
    );
  });
  it("exits 2 on an unknown command", () => {
    assert.equal(runRoost(["deploi"]).code, 2);
  });
  it("documents its exit codes in --help", () => {
    assert.match(runRoost(["--help"]).stdout, /Exit codes:\n {2}0 {2}success/);
  });
});

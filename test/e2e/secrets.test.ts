import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Lab } from "../../src/testing/lab.ts";
import { writeLabFleetFile } from "../../src/testing/lab-fleet-file.ts";
import { run, runOk } from "../../src/run-command.ts";
import type { RoostRun } from "../cli/run-roost.ts";
import { activeSince } from "./test-fleet.ts";

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/secrets-fleet.ts");
const canary = (label: string) => `canary-${label}-${randomBytes(6).toString("hex")}`;

describe("secrets on real hosts", { timeout: 900_000 }, () => {
  let lab: Lab;
  let config: string;
  let work: string;
  let secretsFile: string;
  let identity: string;
  const outputs: RoostRun[] = [];
  const values = { api: canary("api"), db: canary("db"), db2: canary("db2"), beta: canary("beta") };
  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    ROOST_TEST_SECRETS: secretsFile,
    ROOST_TEST_ADMIN: readFileSync(`${identity}.pub`, "utf8").trim(),
    ROOST_AGE_IDENTITY: identity,
    ROOST_STATE_DIR: path.join(work, "state"),
    ...extra,
  });
  const roost = async (args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}) => {
    const { run: runCmd } = await import("../../src/run-command.ts");
    const r = await runCmd(
      process.execPath,
      [path.join(path.dirname(fixture), "../../../bin/roost.js"), "-c", config, "--ssh-config", lab.sshConfig, ...args],
      {
        env: { ...process.env, NO_COLOR: "1", ...env(opts.env) },
        input: opts.input,
      },
    );
    outputs.push(r);
    return r;
  };
  const alpha = () => lab.host("alpha");

  before(async () => {
    lab = await Lab.start({ hosts: ["alpha", "beta"] });
    work = mkdtempSync(path.join(tmpdir(), "roost-secrets-test-"));
    secretsFile = path.join(work, "secrets.yaml");
    identity = path.join(work, "admin.key");
    await runOk("age-keygen", ["-o", identity]);
    writeFileSync(`${identity}.pub`, (await runOk("age-keygen", ["-y", identity])).trim());
    config = writeLabFleetFile(lab, fixture, `e2e-secrets-${process.pid}`);
  });
  after(async () => {
    rmSync(path.dirname(config), { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    await lab.close();
  });

  it("names a missing secret, and says how to set it", async () => {
    const r = await roost(["check"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /secrets\.api-token uses the secret "api_token", which is not in \/.*\/secrets\.yaml\n\s+hint: roost secrets set api_token/,
    );
  });

  it("decrypts on the host into tmpfs, with the declared owner and mode", async () => {
    assert.equal((await roost(["secrets", "set", "api_token"], { input: values.api })).code, 0);
    const set = await roost(["secrets", "set", "db_password"], { input: values.db });
    assert.match(set.stdout, /set db_password \(readable by admins, alpha\)/);
    const deployed = await roost(["deploy", "--quiet", "alpha"]);
    assert.equal(deployed.code, 0, deployed.stdout + deployed.stderr);
    const a = alpha();
    assert.equal(await a.succeed("cat /run/roost/secrets/api-token"), values.api);
    assert.equal((await a.succeed("stat -c '%a %U %G' /run/roost/secrets/api-token")).trim(), "400 greeter greeter");
    assert.equal((await a.succeed("stat -f -c %T /run/roost/secrets/api-token")).trim(), "tmpfs");
    assert.equal(await a.succeed("cat /run/roost/secrets/app-env"), `API_TOKEN="${values.api}"\nDB_PASSWORD="${values.db}"\n`);
    assert.equal(await a.succeed("cat /run/roost/secrets/app-conf"), `[db]\nuser = app\npassword = ${values.db}\n`);
    assert.equal((await a.succeed("stat -c '%a %U' /run/roost/secrets/app-conf")).trim(), "440 greeter");
    await a.waitForUnit("reporter.service");
  });

  it("a changed secret restarts only the units that read it", async () => {
    const a = alpha();
    const greeterSince = await activeSince(a, "greeter.service");
    const reporterSince = await activeSince(a, "reporter.service");
    assert.equal((await roost(["secrets", "set", "db_password"], { input: values.db2 })).code, 0);
    const plan = await roost(["plan", "alpha"]);
    assert.match(plan.stdout, /restart +reporter\.service/);
    assert.match(plan.stdout, /~app-conf \(secret changed\), ~app-env \(secret changed\)/);
    assert.doesNotMatch(plan.stdout, /greeter\.service/);
    const r = await roost(["deploy", "--json", "alpha"]);
    const [result] = JSON.parse(r.stdout) as { status: string; actions: { restarted: string[] } }[];
    assert.deepEqual(result!.actions.restarted, ["reporter.service"]);
    assert.equal(await activeSince(a, "greeter.service"), greeterSince);
    assert.notEqual(await activeSince(a, "reporter.service"), reporterSince);
    assert.match(await a.succeed("cat /run/roost/secrets/app-conf"), new RegExp(values.db2));
    assert.match(await a.succeed("cat /run/roost/secrets/app-env"), new RegExp(`DB_PASSWORD="${values.db2}"`));
  });

  it("after a reboot the secrets are back and the services start", async () => {
    const a = alpha();
    await a.ssh("systemctl reboot");
    await sleep(1000);
    await a.waitForSsh(60_000);
    await a.waitForUnit("reporter.service", 60_000);
    assert.equal(await a.succeed("cat /run/roost/secrets/api-token"), values.api);
  });

  it("a new host reads only what its config references; rekey adds it where it must", async () => {
    const withBeta = { ROOST_TEST_BETA: "1" };
    assert.equal((await roost(["secrets", "set", "beta_only"], { input: values.beta, env: withBeta })).code, 0);
    const list = await roost(["secrets", "list"], { env: withBeta });
    assert.match(list.stdout, /^api_token +admins, alpha$/m);
    assert.match(list.stdout, /^beta_only +admins, beta$/m);
    const deployed = await roost(["deploy", "--quiet", "beta"], { env: withBeta });
    assert.equal(deployed.code, 0, deployed.stdout + deployed.stderr);
    const b = lab.host("beta");
    assert.equal(await b.succeed("cat /run/roost/secrets/beta-only"), values.beta);
    // beta is no recipient of api_token: its host key cannot decrypt it.
    const stored = readFileSync(secretsFile, "utf8");
    const apiCiphertext = /api_token:[\s\S]*?value: \|-?\n((?: {4}.*\n)+)/.exec(stored)![1]!.replace(/^ {4}/gm, "");
    await b.succeed(`cat > /tmp/api.age <<'EOF'\n${apiCiphertext}EOF`);
    assert.match(await b.fail("age -d -i /etc/ssh/ssh_host_ed25519_key /tmp/api.age"), /no identity matched/);
    // beta starts reading db_password: stale until rekeyed, then readable.
    const readsDb = { ROOST_TEST_BETA: "db" };
    assert.match(
      (await roost(["secrets", "list"], { env: readsDb })).stdout,
      /^db_password +admins, alpha, beta +STALE \(roost secrets rekey\)$/m,
    );
    const check = await roost(["check", "beta"], { env: readsDb });
    assert.equal(check.code, 1);
    assert.match(check.stdout, /the secret "db_password" is not encrypted to beta's host key[\s\S]*hint: roost secrets rekey/);
    const rekey = await roost(["secrets", "rekey"], { env: readsDb });
    assert.match(rekey.stdout, /db_password: now readable by admins, alpha, beta/);
    assert.equal((await roost(["deploy", "--quiet", "beta"], { env: readsDb })).code, 0);
    assert.equal(await b.succeed("cat /run/roost/secrets/db"), values.db2);
  });

  it("a value the host cannot decrypt fails the deploy, naming the secret, and the host keeps its generation", async () => {
    const a = alpha();
    const current = (await a.succeed("readlink /var/lib/roost/current")).trim();
    // Claim alpha as a recipient of a value that is encrypted to the admin only.
    const original = readFileSync(secretsFile, "utf8");
    const adminOnly = (await runOk("age", ["-a", "-r", env().ROOST_TEST_ADMIN!], { input: canary("wrong") })).trimEnd();
    const tampered = original.replace(
      /(api_token:[\s\S]*?value: \|-?\n)((?: {4}.*\n)+)/,
      (_m, head: string) =>
        head +
        adminOnly
          .split("\n")
          .map((l) => `    ${l}\n`)
          .join(""),
    );
    writeFileSync(secretsFile, tampered);
    try {
      const r = await roost(["deploy", "--json", "alpha"]);
      const [result] = JSON.parse(r.stdout) as { status: string; error: string; rolledBack: boolean }[];
      assert.equal(result!.status, "failed");
      assert.match(result!.error, /secret api_token cannot be decrypted with this host's key/);
      assert.equal((await a.succeed("readlink /var/lib/roost/current")).trim(), current);
      assert.equal(await a.succeed("cat /run/roost/secrets/api-token"), values.api);
    } finally {
      writeFileSync(secretsFile, original);
    }
    writeFileSync(secretsFile, "api_token: [unclosed\n");
    try {
      const r = await roost(["check", "alpha"]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /the secrets file .*secrets\.yaml is not valid YAML[\s\S]*hint: restore it from version control/);
    } finally {
      writeFileSync(secretsFile, original);
    }
  });

  it("no plaintext anywhere: generations, the host's store, plans, logs, temp files", async () => {
    const build = await roost(["build", "-o", path.join(work, "result")]);
    assert.equal(build.code, 0, build.stderr);
    assert.equal((await roost(["plan"], { env: { ROOST_TEST_BETA: "db" } })).code, 0);
    const secretValues = Object.values(values);
    const hits: string[] = [];
    const grepTree = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
        if (!entry.isFile()) continue;
        const file = path.join(entry.parentPath, entry.name);
        const text = readFileSync(file, "latin1");
        for (const v of secretValues) if (text.includes(v)) hits.push(`${file} contains ${v}`);
      }
    };
    grepTree(work);
    grepTree(path.dirname(config));
    for (const d of readdirSync(tmpdir(), { withFileTypes: true }).filter((d) => d.isDirectory() && d.name.startsWith("roost-")))
      grepTree(path.join(tmpdir(), d.name));
    grepTree(path.join(homedir(), ".cache/roost"));
    if (existsSync("/dev/shm")) grepTree("/dev/shm");
    for (const o of outputs) for (const v of secretValues) if ((o.stdout + o.stderr).includes(v)) hits.push(`command output contains ${v}`);
    for (const h of ["alpha", "beta"]) {
      for (const v of secretValues) {
        const r = await run("ssh", [
          "-F",
          lab.sshConfig,
          lab.host(h).address,
          `grep -rlF -- '${v}' /var/lib/roost /etc /srv /var/log 2>/dev/null; journalctl --no-pager | grep -cF -- '${v}'`,
        ]);
        const found = r.stdout
          .trim()
          .split("\n")
          .filter((l) => l && l !== "0");
        for (const f of found) hits.push(`${h}: ${f} contains ${v}`);
      }
    }
    assert.deepEqual(hits, []);
  });
});

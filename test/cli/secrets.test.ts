import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runOk } from "../../src/run-command.ts";
import { repoRoot } from "./run-roost.ts";

describe("roost secrets", () => {
  let work: string;
  let config: string;
  let identity: string;
  let hostKey: string;
  const roost = (args: string[], input?: string) =>
    import("../../src/run-command.ts").then(({ run }) =>
      run(process.execPath, [path.join(repoRoot, "bin/roost.js"), "-c", config, ...args], {
        env: { ...process.env, NO_COLOR: "1", ROOST_AGE_IDENTITY: identity },
        input,
      }),
    );

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), "roost-secrets-cli-"));
    identity = path.join(work, "admin.key");
    await runOk("age-keygen", ["-o", identity]);
    const admin = (await runOk("age-keygen", ["-y", identity])).trim();
    await runOk("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(work, "host")]);
    hostKey = readFileSync(path.join(work, "host.pub"), "utf8").split(" ").slice(0, 2).join(" ");
    const dir = path.join(repoRoot, ".roost", `secrets-cli-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    config = path.join(dir, "roost.config.ts");
    writeFileSync(
      config,
      `import { defineFleet, host, secret } from "roost";
export default defineFleet({
  secrets: { file: ${JSON.stringify(path.join(work, "secrets.yaml"))}, admins: [${JSON.stringify(admin)}] },
  hosts: {
    web: host({ address: "root@web.invalid", hostKey: ${JSON.stringify(hostKey)}, config: { secrets: { token: { secret: secret("agent_token") }, smtp: { secret: secret("smtp_password") } } } }),
  },
});
`,
    );
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(path.dirname(config), { recursive: true, force: true });
  });

  it("lists what the fleet needs and what is missing", async () => {
    const r = await roost(["secrets", "list"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^agent_token +admins, web +MISSING \(roost secrets set or generate\)$/m);
  });

  it("generates the missing ones, and keeps them stable afterwards", async () => {
    const first = await roost(["secrets", "generate"]);
    assert.match(first.stdout, /agent_token: generated \(readable by admins, web\)/);
    assert.match(first.stdout, /smtp_password: generated/);
    const before = readFileSync(path.join(work, "secrets.yaml"), "utf8");
    const again = await roost(["secrets", "generate", "agent_token"]);
    assert.match(again.stdout, /agent_token: kept/);
    assert.equal(readFileSync(path.join(work, "secrets.yaml"), "utf8"), before);
    assert.equal((await roost(["check"])).code, 0);
  });

  it("keeps names readable and values encrypted to the host's key", async () => {
    assert.equal((await roost(["secrets", "set", "smtp_password"], "hunter2-not-in-the-file")).code, 0);
    const text = readFileSync(path.join(work, "secrets.yaml"), "utf8");
    assert.match(text, /^smtp_password:$/m);
    assert.doesNotMatch(text, /hunter2-not-in-the-file/);
    const ciphertext = /smtp_password:[\s\S]*?value: \|-?\n((?: {4}.*\n)+)/.exec(text)![1]!.replace(/^ {4}/gm, "");
    assert.equal(await runOk("age", ["-d", "-i", path.join(work, "host")], { input: ciphertext }), "hunter2-not-in-the-file");
  });

  it("edits a value in $EDITOR, leaving no plaintext behind", async () => {
    const editor = path.join(work, "editor.sh");
    writeFileSync(editor, `#!/bin/sh\necho "edited" >> "$1"\n`, { mode: 0o755 });
    const { run } = await import("../../src/run-command.ts");
    const r = await run(process.execPath, [path.join(repoRoot, "bin/roost.js"), "-c", config, "secrets", "edit", "smtp_password"], {
      env: { ...process.env, ROOST_AGE_IDENTITY: identity, EDITOR: editor },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /smtp_password: changed/);
    const text = readFileSync(path.join(work, "secrets.yaml"), "utf8");
    const ciphertext = /smtp_password:[\s\S]*?value: \|-?\n((?: {4}.*\n)+)/.exec(text)![1]!.replace(/^ {4}/gm, "");
    assert.equal(await runOk("age", ["-d", "-i", path.join(work, "host")], { input: ciphertext }), "hunter2-not-in-the-fileedited\n");
    const { readdirSync } = await import("node:fs");
    assert.deepEqual(
      readdirSync("/dev/shm").filter((f) => f.startsWith("roost-edit-")),
      [],
    );
  });

  it("removes a secret, and the build then names it", async () => {
    assert.equal((await roost(["secrets", "rm", "agent_token"])).code, 0);
    const r = await roost(["check"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /uses the secret "agent_token", which is not in/);
  });

  it("check --fix generates what is missing, then passes", async () => {
    const r = await roost(["check", "--fix"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /agent_token: generated/);
    assert.match(r.stdout, /✓ web/);
  });

  it("refuses a secret without a value or with a bad name", async () => {
    assert.equal((await roost(["secrets", "set", "empty"], "")).code, 2);
    assert.equal((await roost(["secrets", "set", "bad name"], "x")).code, 2);
  });
});

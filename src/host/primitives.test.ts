import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { errorOf } from "../core/test-support.ts";
import { buildOne, fileText } from "./test-support.ts";

describe("files", () => {
  it("takes text or a source file, with owner and mode", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "roost-files-"));
    try {
      writeFileSync(path.join(dir, "logo.svg"), "<svg/>");
      const gen = buildOne({
        files: {
          "/etc/app.conf": { text: "a = 1\n", mode: "0640", group: "app" },
          "/srv/logo.svg": { source: path.join(dir, "logo.svg") },
        },
      });
      assert.equal(fileText(gen, "/etc/app.conf"), "a = 1\n");
      assert.deepEqual(gen.manifest.files["/etc/app.conf"], {
        sha256: gen.manifest.files["/etc/app.conf"]!.sha256,
        size: 6,
        mode: "0640",
        owner: "root",
        group: "app",
      });
      assert.equal(fileText(gen, "/srv/logo.svg"), "<svg/>");
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
  it("can be downloaded by the host, pinned to a real sha256 (never a placeholder)", () => {
    const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const gen = buildOne({ files: { "/usr/local/bin/tool": { url: "https://example.org/tool", sha256: hash, mode: "0755" } } });
    assert.deepEqual(gen.manifest.files["/usr/local/bin/tool"], {
      sha256: hash,
      size: null,
      url: "https://example.org/tool",
      mode: "0755",
      owner: "root",
      group: "root",
    });
    assert.ok(gen.manifest.packages.includes("curl"));
    for (const placeholder of ["0".repeat(64), "ab".repeat(32), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]) {
      assert.match(
        errorOf(() => buildOne({ files: { "/x": { url: "https://example.org/tool", sha256: placeholder } } })),
        /files\."\/x"\.sha256: expected null or sha256 .*(placeholder|empty file)/,
      );
    }
    assert.match(
      errorOf(() =>
        buildOne({ files: { "/x": { url: "https://example.org/tool", sha256: "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" } } }),
      ),
      /it is not 64 lower-case hex digits/,
    );
    assert.match(
      errorOf(() => buildOne({ files: { "/x": { url: "https://example.org/tool" } } })),
      /files\."\/x": a download needs its sha256/,
    );
    assert.match(
      errorOf(() => buildOne({ files: { "/x": { url: "https://example.org/tool", sha256: hash, text: "" } } })),
      /set exactly one of text, source and url/,
    );
  });
  it("says which source cannot be read", () => {
    assert.match(
      errorOf(() => buildOne({ files: { "/etc/x": { source: "/nonexistent/x" } } })),
      /files\."\/etc\/x"\.source: cannot read \/nonexistent\/x\n {2}ENOENT/,
    );
  });
  it("rejects a relative path and a bad mode", () => {
    assert.match(
      errorOf(() => buildOne({ files: { "etc/x": { text: "" } } })),
      /files\."etc\/x": expected a name that is absolute path/,
    );
    assert.match(
      errorOf(() => buildOne({ files: { "/etc/x": { text: "", mode: "644x" } } })),
      /files\."\/etc\/x"\.mode: expected octal file mode/,
    );
  });
  it("refuses a path that two options render", () => {
    assert.match(
      errorOf(() =>
        buildOne({
          files: { "/etc/systemd/system/a.service": { text: "" } },
          systemd: { services: { a: { serviceConfig: { ExecStart: ["/bin/true"] } } } },
        }),
      ),
      /\/etc\/systemd\/system\/a\.service is rendered twice/,
    );
  });
});

describe("users and groups", () => {
  it("gives system users a home under /var/lib and no login shell", () => {
    const gen = buildOne({ users: { users: { app: { isSystemUser: true }, alice: { extraGroups: ["sudo", "adm"] } } } });
    assert.deepEqual(gen.manifest.users.app, {
      existing: false,
      system: true,
      uid: null,
      group: "app",
      extraGroups: [],
      home: "/var/lib/app",
      createHome: true,
      shell: "/usr/sbin/nologin",
      description: "",
      authorizedKeys: [],
    });
    assert.equal(gen.manifest.users.alice!.home, "/home/alice");
    assert.deepEqual(gen.manifest.users.alice!.extraGroups, ["adm", "sudo"]);
    assert.deepEqual(Object.keys(gen.manifest.groups).sort(), ["alice", "app"]);
  });
  it("writes authorized keys with safe modes", () => {
    const gen = buildOne({ users: { users: { ops: { authorizedKeys: ["ssh-ed25519 AAAA ops"] } } } });
    assert.equal(fileText(gen, "/home/ops/.ssh/authorized_keys"), "ssh-ed25519 AAAA ops\n");
    assert.equal(gen.files.get("/home/ops/.ssh/authorized_keys")!.mode, "0600");
    assert.deepEqual(gen.manifest.directories["/home/ops/.ssh"], { mode: "0700", owner: "ops", group: "ops" });
  });
  it("rejects a user name adduser would refuse", () => {
    assert.match(
      errorOf(() => buildOne({ users: { users: { Bob: {} } } })),
      /users\.users\.Bob: expected a name that is user or group name/,
    );
  });
});

describe("directories", () => {
  it("renders one sorted tmpfiles.d file", () => {
    const gen = buildOne({ directories: { "/srv/b": { owner: "www-data", age: "10d" }, "/run/a": { removeOnBoot: true, mode: "0700" } } });
    assert.equal(
      fileText(gen, "/etc/tmpfiles.d/roost.conf"),
      "# Rendered by roost.\nD /run/a 0700 root root -\nd /srv/b 0755 www-data root 10d\n",
    );
  });
});

describe("packages and apt repositories", () => {
  const key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nabc\n-----END PGP PUBLIC KEY BLOCK-----";
  it("sorts and deduplicates packages", () => {
    assert.deepEqual(buildOne({ packages: ["nginx", "curl", "nginx"] }).manifest.packages, ["curl", "nftables", "nginx"]);
  });
  it("pins each repository to its own key", () => {
    const gen = buildOne({
      apt: { repositories: { pgdg: { uris: ["https://apt.postgresql.org/pub/repos/apt"], suites: ["bookworm-pgdg"], key } } },
    });
    assert.equal(
      fileText(gen, "/etc/apt/sources.list.d/roost-pgdg.sources"),
      "Types: deb\nURIs: https://apt.postgresql.org/pub/repos/apt\nSuites: bookworm-pgdg\nComponents: main\nSigned-By: /etc/apt/keyrings/roost-pgdg.asc\n",
    );
    assert.equal(fileText(gen, "/etc/apt/keyrings/roost-pgdg.asc"), key + "\n");
  });
  it("rejects a key that is not an armoured public key", () => {
    assert.match(
      errorOf(() => buildOne({ apt: { repositories: { x: { uris: ["https://x"], suites: ["s"], key: "AAAA" } } } })),
      /apt\.repositories\.x\.key: expected one ASCII-armoured OpenPGP public key block/,
    );
  });
});

describe("health checks", () => {
  it("run a command as a user, and need an absolute program and no empty argument", () => {
    const gen = buildOne({
      healthChecks: { db: { type: "command", command: ["/usr/bin/pg_isready", "-q"], user: "postgres", expectExitCode: 0 } },
    });
    assert.deepEqual(gen.manifest.healthChecks.db, {
      type: "command",
      command: ["/usr/bin/pg_isready", "-q"],
      expectExitCode: 0,
      user: "postgres",
      timeout: 30,
    });
    assert.match(
      errorOf(() => buildOne({ healthChecks: { db: { type: "command", command: ["pg_isready"] } } })),
      /healthChecks\.db: a command check's program must be an absolute path, not "pg_isready"/,
    );
    assert.match(
      errorOf(() => buildOne({ healthChecks: { db: { type: "command", command: ["/bin/true", ""] } } })),
      /healthChecks\.db\.command\[1\]: expected command argument, but an empty argument cannot be passed/,
    );
    assert.match(
      errorOf(() => buildOne({ healthChecks: { db: { type: "command" } } })),
      /a command check needs command/,
    );
  });
});

describe("firewall", () => {
  it("keeps SSH open and opens what is asked, per interface too", () => {
    const gen = buildOne({
      networking: {
        firewall: {
          allowedTCPPorts: [443, 80],
          allowedUDPPorts: [51820],
          interfaces: { wg0: { allowedTCPPorts: [9100] } },
          allowedTCPPortRanges: [{ from: 6000, to: 6010 }],
        },
      },
    });
    const rules = fileText(gen, "/etc/roost/firewall.nft");
    assert.match(rules, /policy drop;/);
    assert.match(rules, /tcp dport \{ 22, 80, 443 \} accept/);
    assert.match(rules, /udp dport 51820 accept/);
    assert.match(rules, /tcp dport 6000-6010 accept/);
    assert.match(rules, /iifname "wg0" tcp dport 9100 accept/);
    assert.deepEqual(gen.manifest.firewall, {
      path: "/etc/roost/firewall.nft",
      sha256: gen.manifest.files["/etc/roost/firewall.nft"]!.sha256,
    });
    assert.ok(gen.manifest.units["roost-firewall.service"]!.reload, "a ruleset change reloads the firewall");
  });
  it("opens ports to some addresses only, IPv4 and IPv6 apart", () => {
    const ruleset = fileText(
      buildOne({
        networking: {
          firewall: { sources: { mon: { addresses: ["10.0.0.5", "fd00::/8"], allowedTCPPorts: [9100], allowedUDPPorts: [161] } } },
        },
      }),
      "/etc/roost/firewall.nft",
    );
    assert.match(ruleset, /^ {4}ip saddr \{ 10\.0\.0\.5 \} tcp dport 9100 accept$/m);
    assert.match(ruleset, /^ {4}ip saddr \{ 10\.0\.0\.5 \} udp dport 161 accept$/m);
    assert.match(ruleset, /^ {4}ip6 saddr \{ fd00::\/8 \} tcp dport 9100 accept$/m);
    assert.doesNotMatch(ruleset, /^ {4}tcp dport .*9100/m);
    assert.match(
      errorOf(() => buildOne({ networking: { firewall: { sources: { mon: { addresses: ["10.0.0.0/33"], allowedTCPPorts: [1] } } } } })),
      /networking\.firewall\.sources\.mon\.addresses\[0\]: expected IP address or network/,
    );
  });
  it("can be turned off", () => {
    const gen = buildOne({ networking: { firewall: { enable: false } } });
    assert.equal(gen.manifest.firewall, null);
    assert.ok(!gen.files.has("/etc/roost/firewall.nft"));
  });
  it("rejects a range whose start is above its end", () => {
    assert.match(
      errorOf(() => buildOne({ networking: { firewall: { allowedTCPPortRanges: [{ from: 10, to: 1 }] } } })),
      /allowedTCPPortRanges\[0\]: from is above to/,
    );
  });
});

describe("health checks", () => {
  it("lists each check in the manifest", () => {
    const gen = buildOne({
      healthChecks: {
        web: { type: "http", url: "http://127.0.0.1:8080/", expectBody: "ok" },
        db: { type: "tcp", port: 5432, timeout: "1m" },
        sshd: { type: "unit", unit: "ssh.service" },
      },
    });
    assert.deepEqual(gen.manifest.healthChecks, {
      db: { type: "tcp", host: "127.0.0.1", port: 5432, timeout: 60 },
      sshd: { type: "unit", unit: "ssh.service", timeout: 30 },
      web: { type: "http", url: "http://127.0.0.1:8080/", expectStatus: 200, expectBody: "ok", timeout: 30 },
    });
  });
  it("says what a check of a type is missing", () => {
    assert.match(
      errorOf(() => buildOne({ healthChecks: { web: { type: "http" } } })),
      /healthChecks\.web: an http check needs url/,
    );
  });
});

describe("networking", () => {
  it("names the host after its fleet name unless told otherwise", () => {
    assert.equal(fileText(buildOne({}), "/etc/hostname"), "h\n");
    assert.equal(fileText(buildOne({ networking: { hostName: "box" } }), "/etc/hostname"), "box\n");
  });
});

// One regression test per finding of the security review of what `roost check` let through: each
// input is the one that changed meaning on the host, and each is now refused at evaluation (with the
// option path and where it was defined) or written so that the host reads back exactly the value.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { buildHost } from "../../src/build/generation.ts";
import { definitionsFromFile, defineModule } from "../../src/core/index.ts";
import { errorOf } from "../../src/core/test-support.ts";
import { FleetEvaluation, defineFleet, host } from "../../src/host/fleet.ts";
import { buildOne, fileText } from "../../src/host/test-support.ts";

const refuses = (config: Parameters<typeof buildOne>[0], pattern: RegExp) => {
  const message = errorOf(() => buildOne(config));
  assert.match(message, pattern);
  return message;
};

describe("security review findings", () => {
  it("1: a health-check name cannot add a row to the host's data", () => {
    const message = refuses(
      { healthChecks: { "x\t0\t$(touch /pwned)\nrow": { type: "unit", unit: "ssh.service" } } },
      /healthChecks\."x\\t0\\t\$\(touch \/pwned\)\\nrow": expected a name that is check name/,
    );
    assert.match(message, /defined in \S+\.ts:\d+:\d+/);
  });

  it("2: a unit value ending in \\ cannot swallow the next line", () => {
    refuses(
      { systemd: { services: { app: { serviceConfig: { SyslogIdentifier: "app\\", User: "app", ExecStart: ["/bin/true"] } } } } },
      /systemd\.services\.app\.serviceConfig\.SyslogIdentifier: expected null or string \(one line\), but a value ending in \\ continues onto the next line/,
    );
    refuses(
      { systemd: { services: { app: { serviceConfig: { ExecStart: ["/bin/true \\"], NoNewPrivileges: true } } } } },
      /serviceConfig\.ExecStart\[0\]: expected string \(one line\), but a value ending in \\ continues/,
    );
  });

  it("3: an extraConfig key cannot add directives or sections", () => {
    refuses(
      { systemd: { services: { app: { serviceConfig: { ExecStart: ["/bin/true"], extraConfig: { "X\n[Service]\nUser": "root" } } } } } },
      /serviceConfig\.extraConfig\."X\\n\[Service\]\\nUser": expected a name that is unit key/,
    );
    refuses(
      { systemd: { services: { app: { serviceConfig: { extraConfig: { OOMPolicy: "continue\nUser=root" } } } } } },
      /extraConfig\.OOMPolicy: expected .*, but it contains a line break/,
    );
  });

  it("4: apt architectures cannot inject fields, and the key must be one whole armoured block", () => {
    const key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nabc\n-----END PGP PUBLIC KEY BLOCK-----";
    refuses(
      { apt: { repositories: { x: { uris: ["https://x"], suites: ["s"], key, architectures: ["amd64\nTrusted: yes"] } } } },
      /apt\.repositories\.x\.architectures\[0\]: expected Debian architecture/,
    );
    refuses(
      { apt: { repositories: { x: { uris: ["https://x"], suites: ["s"], key: `Trusted: yes\n${key}` } } } },
      /apt\.repositories\.x\.key: expected one ASCII-armoured/,
    );
    refuses(
      { apt: { repositories: { x: { uris: ["https://x"], suites: ["s\tTrusted"], key } } } },
      /apt\.repositories\.x\.suites\[0\]: expected suite name/,
    );
  });

  it("5: a package name ending in - (apt: remove it) is refused", () => {
    refuses(
      { packages: ["openssh-server-"] },
      /packages\[\d+\]: expected Debian package name, but it ends with -, which apt reads as a request to remove the package/,
    );
    assert.deepEqual(buildOne({ packages: ["g++", "libstdc++6"] }).manifest.packages, ["g++", "libstdc++6", "nftables"]);
  });

  it("7: a unit file is never empty (an empty unit is a masked one), and systemd's own targets are not Roost's", () => {
    refuses(
      { systemd: { targets: { "multi-user": {} } } },
      /systemd\.targets\.multi-user: expected a name that is unit name .*a unit of systemd or Debian's base system/,
    );
    const gen = buildOne({ systemd: { targets: { "app-stack": {} } } });
    assert.equal(fileText(gen, "/etc/systemd/system/app-stack.target"), "[Unit]\n");
  });

  it("8: paths have one spelling, so one file is one manifest entry", () => {
    refuses(
      { files: { "/etc//x": { text: "" } } },
      /files\."\/etc\/\/x": expected a name that is absolute path, but it is not normalised \(write \/etc\/x\)/,
    );
    refuses({ files: { "/etc/./x": { text: "" } } }, /it is not normalised \(write \/etc\/x\)/);
    refuses({ files: { "/etc/systemd/system//roost-recover.service": { text: "" } } }, /not normalised/);
    refuses({ files: { "/etc/x/": { text: "" } } }, /it ends with \/ \(write \/etc\/x\)/);
  });

  it("10: Roost's own and the kernel's paths are reserved", () => {
    refuses(
      { files: { "/var/lib/roost/pending": { text: "x y\n" } } },
      /files\."\/var\/lib\/roost\/pending": .*\/var\/lib\/roost is Roost's own state/,
    );
    refuses({ files: { "/var/lib/roost/store/abc": { text: "" } } }, /Roost's own state/);
    refuses({ files: { "/proc/sys/kernel/hostname": { text: "x" } } }, /\/proc is a kernel file system/);
    refuses({ files: { "/dev/null": { text: "" } } }, /\/dev is the kernel's device tree/);
    refuses({ directories: { "/var/lib/roost": { removeOnBoot: true } } }, /directories\."\/var\/lib\/roost": .*Roost's own state/);
    refuses({ directories: { "/var/lib": { removeOnBoot: true } } }, /directories\."\/var\/lib": .*\/var\/lib belongs to the base system/);
    refuses(
      { directories: { "/": { mode: "0750" } } },
      /directories\."\/": .*\/ belongs to the base system, which sets its owner and mode/,
    );
    refuses({ directories: { "/srv": { age: "10d" } } }, /\/srv holds people's and services' data; emptying it would lose it/);
    refuses(
      { secrets: { x: { template: "a", path: "/run/roost/secrets" } } },
      /secrets\.x\.path: .*\/run\/roost is Roost's runtime directory/,
    );
  });

  it("11: raw firewall rules cannot close the chain or act on the ruleset", () => {
    refuses(
      {
        networking: {
          firewall: {
            extraInputRules: "accept\n}\n}\ntable inet evil {\nchain input { type filter hook input priority -1; policy drop; }",
          },
        },
      },
      /networking\.firewall\.extraInputRules: .*the rule "}" is refused: it closes a block it did not open/,
    );
    refuses({ networking: { firewall: { extraInputRules: "tcp dport 80 accept; flush ruleset" } } }, /holds ; \(one rule per line\)/);
    refuses({ networking: { firewall: { extraInputRules: "flush ruleset" } } }, /starts with "flush"/);
    const gen = buildOne({
      networking: { firewall: { extraInputRules: "ip saddr { 10.0.0.0/8, 192.168.0.0/16 } tcp dport 5432 accept" } },
    });
    assert.match(
      fileText(gen, "/etc/roost/firewall.nft"),
      /^ {4}ip saddr \{ 10\.0\.0\.0\/8, 192\.168\.0\.0\/16 \} tcp dport 5432 accept$/m,
    );
  });

  describe("12: the smaller findings", () => {
    it("a __proto__ key in a YAML file is an error at its line, not a silent loss", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "roost-proto-"));
      try {
        writeFileSync(path.join(dir, "host.yaml"), "files:\n  __proto__:\n    text: x\n");
        const module = definitionsFromFile(path.join(dir, "host.yaml"));
        assert.fail(`expected an error, got ${module.name}`);
      } catch (e) {
        assert.match((e as Error).message, /the key __proto__ cannot be read into a JavaScript object\n.*host\.yaml:2:3/);
      } finally {
        rmSync(dir, { recursive: true });
      }
      refuses({ files: JSON.parse('{"__proto__": {"text": "x"}}') }, /files\.__proto__: .*JavaScript objects treat it as their prototype/);
    });

    it("% is written so that systemd and tmpfiles read it literally", () => {
      const gen = buildOne({
        directories: { "/srv/%h/cache": {}, "/srv/with space": {} },
        systemd: {
          services: { app: { serviceConfig: { ExecStart: ["/bin/date +%s"], WorkingDirectory: "/srv/%h" }, environment: { RATE: "50%" } } },
        },
      });
      assert.match(fileText(gen, "/etc/tmpfiles.d/roost.conf"), /^d \/srv\/%%h\/cache 0755 root root -$/m);
      assert.match(fileText(gen, "/etc/tmpfiles.d/roost.conf"), /^d "\/srv\/with space" 0755 root root -$/m);
      const unit = fileText(gen, "/etc/systemd/system/app.service");
      assert.match(unit, /^ExecStart=\/bin\/date \+%%s$/m);
      assert.match(unit, /^WorkingDirectory=\/srv\/%%h$/m);
      assert.match(unit, /^Environment="RATE=50%%"$/m);
      // Template units are where specifiers are meant: their values are written as given.
      const template = buildOne({ systemd: { services: { "worker@": { serviceConfig: { ExecStart: ["/usr/bin/worker %i"] } } } } });
      assert.match(fileText(template, "/etc/systemd/system/worker@.service"), /^ExecStart=\/usr\/bin\/worker %i$/m);
      assert.match(
        fileText(
          buildOne({ systemd: { services: { a: { serviceConfig: { ExecStart: ["/bin/true"], CPUQuota: "50%" } } } } }),
          "/etc/systemd/system/a.service",
        ),
        /^CPUQuota=50%$/m,
      );
    });

    it("environment values with quotes, backslashes and line breaks are escaped for systemd", () => {
      const unit = fileText(
        buildOne({
          systemd: { services: { a: { serviceConfig: { ExecStart: ["/bin/true"] }, environment: { MOTD: 'say "hi"\\\nbye' } } } },
        }),
        "/etc/systemd/system/a.service",
      );
      assert.match(unit, /^Environment="MOTD=say \\"hi\\"\\\\\\nbye"$/m);
    });

    it("a malformed secret placeholder is refused rather than left literal", () => {
      refuses(
        { secrets: { conf: { template: "password = {{ secret:db }}\n" } } },
        /secrets\.conf\.template: expected null or text with \{\{secret:name\}\} placeholders, but it has a malformed placeholder "\{\{ secret:db \}\}/,
      );
    });

    it("two secret outputs cannot write one path", () => {
      const ciphertext = {
        version: "v",
        recipients: ["ssh-ed25519 AAAAkey"],
        value: "-----BEGIN AGE ENCRYPTED FILE-----\nx\n-----END AGE ENCRYPTED FILE-----\n",
      };
      const fleet = new FleetEvaluation(
        defineFleet({
          hosts: {
            h: host({
              address: "root@h",
              config: {
                secrets: { a: { template: "{{secret:s}}", path: "/run/app/pw" }, b: { template: "{{secret:s}}", path: "/run/app/pw" } },
              },
            }),
          },
        }),
      );
      assert.match(
        errorOf(() =>
          buildHost("h", fleet.host("h"), { secrets: { file: "secrets.yaml", lookup: () => ciphertext }, hostKey: "ssh-ed25519 AAAAkey" }),
        ),
        /secrets\.a and secrets\.b write the same path \/run\/app\/pw/,
      );
    });

    it("a unit name cannot be read as an option by systemctl", () => {
      refuses(
        { systemd: { services: { "-H": { serviceConfig: { ExecStart: ["/bin/true"] } } } } },
        /systemd\.services\."-H": expected a name that is unit name/,
      );
    });

    it("an empty list of SSH ports is a check error, not an nft error at deploy", () => {
      refuses({ networking: { firewall: { sshPorts: [] } } }, /networking\.firewall\.sshPorts is empty/);
    });

    it("paths that the build could not write are refused at evaluation", () => {
      refuses({ files: { "/etc/.": { text: "" } } }, /files\."\/etc\/\.": .*not normalised/);
      refuses({ files: { [`/srv/${"a".repeat(5000)}`]: { text: "" } } }, /longer than/);
      refuses(
        { files: { "/etc/a": { text: "" }, "/etc/a/b": { text: "" } } },
        /\/etc\/a\/b \(files\."\/etc\/a\/b"\) would be written inside the file \/etc\/a/,
      );
      refuses({ files: { "/srv/a": { text: "" } }, directories: { "/srv/a": {} } }, /\/srv\/a is both a file/);
    });

    it("files.source reads only regular files from the fleet's directory", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "roost-source-"));
      try {
        execFileSync("mkfifo", [path.join(dir, "fifo")]);
        assert.match(
          errorOf(() => buildOne({ files: { "/etc/x": { source: path.join(dir, "fifo") } } })),
          /files\."\/etc\/x"\.source: cannot read .*fifo\n {2}it is not a regular file/,
        );
        writeFileSync(path.join(dir, "motd"), "hello\n");
        const fleet = new FleetEvaluation(
          defineFleet({
            hosts: { h: host({ address: "root@h", config: { files: { "/etc/motd": { source: path.join(dir, "motd") } } } }) },
          }),
        );
        const build = (roots: string[]) => buildHost("h", fleet.host("h"), { secrets: null, hostKey: undefined, sourceRoots: () => roots });
        assert.equal(build([dir]).files.get("/etc/motd")!.content.toString(), "hello\n");
        assert.match(
          errorOf(() => build([path.join(dir, "fleet")])),
          /it is outside the fleet's directory/,
        );
      } finally {
        rmSync(dir, { recursive: true });
      }
    });

    it("a host key or target host cannot smuggle a second known_hosts line or an ssh option", () => {
      const fleet = (spec: { address: string; hostKey?: string }) => new FleetEvaluation(defineFleet({ hosts: { h: host(spec) } }));
      assert.match(
        errorOf(() => buildHost("h", fleet({ address: "root@h", hostKey: "ssh-ed25519 AAAAkey\n* ssh-ed25519 AAAAother" }).host("h"))),
        /deployment\.hostKey: expected null or SSH public key/,
      );
      assert.match(
        errorOf(() => buildHost("h", fleet({ address: "-oProxyCommand=sh" }).host("h"))),
        /deployment\.targetHost: expected host name, IP address or ssh_config alias/,
      );
    });

    it("a BigInt or a function in restartTriggers names the option", () => {
      refuses(
        { systemd: { services: { a: { serviceConfig: { ExecStart: ["/bin/true"] }, restartTriggers: [10n as unknown as string] } } } },
        /systemd\.services\.a\.restartTriggers\[0\]: expected any value, but it is a bigint/,
      );
      const withFunction = defineModule({
        config: {
          systemd: {
            services: { a: { serviceConfig: { ExecStart: ["/bin/true"] }, reloadTriggers: [{ f: () => 1 } as unknown as string] } },
          },
        },
      });
      const fleet = new FleetEvaluation(defineFleet({ hosts: { h: host({ address: "root@h", modules: [withFunction] }) } }));
      assert.match(
        errorOf(() => buildHost("h", fleet.host("h"))),
        /reloadTriggers\[0\]\.f: expected any value, but it is a function/,
      );
    });
  });
});

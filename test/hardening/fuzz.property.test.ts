// Arbitrary strings — control characters, \, %, quotes, $(), line breaks, unicode, __proto__ — in
// every string-typed option and attribute name of every primitive, built through the real
// renderers. Each case is refused with an error naming the option, or renders files that read back
// to exactly the value given: with systemd's unit syntax (and samples through systemd-analyze
// verify), systemd-tmpfiles creating the directories in a scratch root, apt parsing the sources,
// and nft loading the ruleset in a network namespace of its own.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { buildHost, type HostGeneration } from "../../src/build/generation.ts";
import { verifyUnits } from "../../src/check/systemd-verify.ts";
import { hostDataFiles } from "../../src/deploy/host-data.ts";
import { RoostError, secret } from "../../src/core/index.ts";
import { FleetEvaluation, defineFleet, host } from "../../src/host/fleet.ts";
import type { HostDefinitions } from "../../src/host/module.ts";
import { execLine } from "../../src/host/systemd/unit-file.ts";
import { expandSpecifiers, readDeb822, readUnitFile, splitExecLine, unquoteEnvironment } from "./readers.ts";

const seed = Number(process.env.FUZZ_SEED ?? 20261126);
const numRuns = Number(process.env.FUZZ_RUNS ?? 10_000);

const fragments = fc.constantFrom(
  "\\",
  "%",
  "%%",
  "%h",
  '"',
  "'",
  "$(id)",
  "`id`",
  "$HOME",
  "\n",
  "\r",
  "\t",
  "\0",
  "\x1b",
  "\x7f",
  " ",
  "  ",
  "#",
  ";",
  "=",
  ":",
  ",",
  "{",
  "}",
  "[Service]",
  "User=root",
  "__proto__",
  "constructor",
  "/",
  "//",
  "/./",
  "..",
  ".",
  "-",
  "--",
  "@",
  "é",
  "\u2028",
  "\ud800",
  "😀",
  "{{secret:s}}",
  "{{ secret:s }}",
  "tcp dport 80 accept",
  "table inet x {",
  "flush ruleset",
  "Trusted: yes",
  "amd64",
  "a",
  "app",
  "0644",
  "10d",
);
const text = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.array(fc.oneof(fragments, fc.string({ unit: "binary", maxLength: 3 })), { maxLength: 6 }).map((a) => a.join("")),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 12 }) },
  // Mostly harmless characters, so that every slot is also accepted often enough to be read back.
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(..."abcz019._-/%:@+ "), minLength: 1, maxLength: 10 }) },
);

const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFuzzFuzzFuzzFuzzFuzzFuzzFuzzFuzzFuzzFuzzFuzz";
const ciphertext = {
  version: "v1",
  recipients: [hostKey],
  value: "-----BEGIN AGE ENCRYPTED FILE-----\nx\n-----END AGE ENCRYPTED FILE-----\n",
};

function build(config: HostDefinitions): HostGeneration {
  const fleet = new FleetEvaluation(defineFleet({ hosts: { h: host({ address: "root@h", config }) } }));
  return buildHost("h", fleet.host("h"), { secrets: { file: "secrets.yaml", lookup: () => ciphertext }, hostKey });
}

/** Samples of accepted cases for the real tools, run once the property has finished. */
const samples = {
  units: [] as { gen: HostGeneration; unitFile: string; key: string }[],
  tmpfiles: [] as { path: string; mode: string; line: string }[],
  sources: [] as { text: string; expect: Record<string, string> }[],
  rulesets: [] as string[],
};
const keep = <T>(list: T[], item: T, max: number) => void (list.length < max && list.push(item));

interface Slot {
  /** What an error for this slot must name. */
  readonly option: string;
  config(s: string): HostDefinitions;
  /** Reads back what the host would see and compares it with `s`. */
  readBack(gen: HostGeneration, s: string): void;
}

const file = (gen: HostGeneration, p: string) => {
  const f = gen.files.get(p);
  assert.ok(f, `${p} is in the generation`);
  return f.content.toString("utf8");
};

// ---- systemd units -----------------------------------------------------------------------------
type Decode = "literal" | "environment" | "raw";
function unitValues(gen: HostGeneration, unitFile: string, section: string, key: string, decode: Decode): string[] {
  const values =
    readUnitFile(file(gen, `/etc/systemd/system/${unitFile}`))
      .get(section)
      ?.get(key) ?? [];
  keep(samples.units, { gen, unitFile, key }, 150);
  return values.map((v) => {
    const word = decode === "environment" ? unquoteEnvironment(v) : v;
    assert.notEqual(word, null, `${key}=${v} unquotes`);
    const out = decode === "raw" ? word : expandSpecifiers(word!);
    assert.notEqual(out, null, `${key}=${v} holds no specifier`);
    return out!;
  });
}
const unitSlot = (
  option: string,
  config: (s: string) => HostDefinitions,
  section: string,
  key: string | ((s: string) => string),
  expected = (s: string) => [s],
  decode: Decode = "literal",
  unitFile = "app.service",
): Slot => ({
  option,
  config,
  readBack: (gen, s) => assert.deepEqual(unitValues(gen, unitFile, section, typeof key === "string" ? key : key(s), decode), expected(s)),
});
const service = (s: Record<string, unknown>) =>
  ({ systemd: { services: { app: { serviceConfig: { ExecStart: ["/bin/true"] }, ...s } } } }) as HostDefinitions;
const serviceConfig = (c: Record<string, unknown>) =>
  ({ systemd: { services: { app: { serviceConfig: { ExecStart: ["/bin/true"], ...c } } } } }) as HostDefinitions;

const aptRepository = {
  uris: ["https://x.example/debian"],
  suites: ["bookworm"],
  components: ["main"],
  key: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF\n-----END PGP PUBLIC KEY BLOCK-----",
};

const slots: Slot[] = [
  unitSlot(
    "systemd.services.app.description",
    (s) => service({ description: s }),
    "Unit",
    "Description",
    (s) => (s === "" ? [] : [s]),
  ),
  unitSlot("systemd.services.app.documentation", (s) => service({ documentation: [s] }), "Unit", "Documentation"),
  unitSlot("systemd.services.app.after", (s) => service({ after: [s] }), "Unit", "After"),
  unitSlot("systemd.services.app.wantedBy", (s) => service({ wantedBy: [s] }), "Install", "WantedBy"),
  unitSlot(
    "systemd.services.app.unitConfig.ConditionPathExists",
    (s) => service({ unitConfig: { ConditionPathExists: [s] } }),
    "Unit",
    "ConditionPathExists",
  ),
  unitSlot(
    "systemd.services.app.serviceConfig.ExecStart",
    (s) => ({ systemd: { services: { app: { serviceConfig: { ExecStart: [s] } } } } }),
    "Service",
    "ExecStart",
  ),
  unitSlot("systemd.services.app.serviceConfig.User", (s) => serviceConfig({ User: s }), "Service", "User"),
  unitSlot(
    "systemd.services.app.serviceConfig.WorkingDirectory",
    (s) => serviceConfig({ WorkingDirectory: s }),
    "Service",
    "WorkingDirectory",
  ),
  unitSlot(
    "systemd.services.app.serviceConfig.SyslogIdentifier",
    (s) => serviceConfig({ SyslogIdentifier: s }),
    "Service",
    "SyslogIdentifier",
  ),
  unitSlot(
    "systemd.services.app.serviceConfig.EnvironmentFile",
    (s) => serviceConfig({ EnvironmentFile: [s] }),
    "Service",
    "EnvironmentFile",
  ),
  unitSlot("systemd.services.app.serviceConfig.ReadWritePaths", (s) => serviceConfig({ ReadWritePaths: [s] }), "Service", "ReadWritePaths"),
  unitSlot(
    "systemd.services.app.serviceConfig.SystemCallFilter",
    (s) => serviceConfig({ SystemCallFilter: [s] }),
    "Service",
    "SystemCallFilter",
  ),
  unitSlot(
    "systemd.services.app.serviceConfig.extraConfig",
    (s) => serviceConfig({ extraConfig: { [s]: "v" } }),
    "Service",
    (s) => s,
    () => ["v"],
  ),
  unitSlot(
    "systemd.services.app.serviceConfig.extraConfig.OOMPolicy",
    (s) => serviceConfig({ extraConfig: { OOMPolicy: s } }),
    "Service",
    "OOMPolicy",
  ),
  unitSlot(
    "systemd.services.app.environment.FUZZ",
    (s) => service({ environment: { FUZZ: s } }),
    "Service",
    "Environment",
    (s) => [`FUZZ=${s}`],
    "environment",
  ),
  unitSlot(
    "systemd.services.app.environment",
    (s) => service({ environment: { [s]: "v" } }),
    "Service",
    "Environment",
    (s) => [`${s}=v`],
    "environment",
  ),
  unitSlot(
    "systemd.services.app.startAt",
    (s) => service({ startAt: [s] }),
    "Timer",
    "OnCalendar",
    (s) => [s],
    "literal",
    "app.timer",
  ),
  unitSlot(
    "systemd.sockets.app.socketConfig.ListenStream",
    (s) => ({ systemd: { sockets: { app: { socketConfig: { ListenStream: [s] } } } } }),
    "Socket",
    "ListenStream",
    (s) => [s],
    "literal",
    "app.socket",
  ),
  unitSlot(
    'systemd.services."worker@".serviceConfig.ExecStart',
    (s) => ({ systemd: { services: { "worker@": { serviceConfig: { ExecStart: [s] } } } } }),
    "Service",
    "ExecStart",
    (s) => [s],
    "raw",
    "worker@.service",
  ),
  {
    option: "systemd.services.",
    config: (s) => ({ systemd: { services: { [s]: { serviceConfig: { ExecStart: ["/bin/true"] } } } } }),
    readBack: (gen, s) => {
      assert.ok(gen.manifest.units[`${s}.service`], "the manifest names the unit");
      assert.deepEqual(unitValues(gen, `${s}.service`, "Service", "ExecStart", s.endsWith("@") ? "raw" : "literal"), ["/bin/true"]);
    },
  },
  {
    option: "systemd.services.app.script",
    config: (s) => ({ systemd: { services: { app: { script: s } } } }),
    readBack: (gen, s) =>
      assert.equal(file(gen, "/etc/roost/units/app.service/start"), `#!/bin/sh\nset -eu\n${s.endsWith("\n") ? s : s + "\n"}`),
  },

  // ---- files, directories ----------------------------------------------------------------------
  { option: "files.", config: (s) => ({ files: { [s]: { text: "x" } } }), readBack: (gen, s) => assert.equal(file(gen, s), "x") },
  {
    option: "files.",
    config: (s) => ({ files: { [`/srv/${s}`]: { text: "x" } } }),
    readBack: (gen, s) => assert.ok(gen.manifest.files[`/srv/${s}`]),
  },
  {
    option: 'files."/srv/f".text',
    config: (s) => ({ files: { "/srv/f": { text: s } } }),
    readBack: (gen, s) => assert.equal(file(gen, "/srv/f"), s),
  },
  {
    option: 'files."/srv/f".url',
    config: (s) => ({
      files: { "/srv/f": { url: `https://example.org/${s}`, sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" } },
    }),
    readBack: (gen, s) => assert.equal(gen.manifest.files["/srv/f"]!.url, `https://example.org/${s}`),
  },
  {
    option: 'files."/srv/f".owner',
    config: (s) => ({ files: { "/srv/f": { text: "", owner: s } } }),
    readBack: (gen, s) => assert.equal(gen.manifest.files["/srv/f"]!.owner, s),
  },
  {
    option: 'files."/srv/f".mode',
    config: (s) => ({ files: { "/srv/f": { text: "", mode: s } } }),
    readBack: (gen, s) => assert.equal(gen.manifest.files["/srv/f"]!.mode, s),
  },
  ...["", "/srv/d/"].map(
    (prefix): Slot => ({
      option: "directories.",
      config: (s) => ({ directories: { [prefix + s]: { mode: "0750" } } }),
      readBack: (gen, s) => {
        const line = file(gen, "/etc/tmpfiles.d/roost.conf").split("\n")[1]!;
        keep(samples.tmpfiles, { path: prefix + s, mode: "750", line }, 400);
      },
    }),
  ),
  {
    option: 'directories."/srv/d".age',
    config: (s) => ({ directories: { "/srv/d": { age: s } } }),
    readBack: (gen, s) => assert.equal(file(gen, "/etc/tmpfiles.d/roost.conf").split("\n")[1], `d /srv/d 0755 root root ${s}`),
  },

  // ---- packages and apt ------------------------------------------------------------------------
  {
    option: "packages",
    config: (s) => ({ packages: [s] }),
    readBack: (gen, s) => assert.ok(gen.manifest.packages.includes(s) && !s.endsWith("-") && /^[a-z0-9]/.test(s)),
  },
  ...(["uris", "suites", "components", "architectures"] as const).map(
    (field): Slot => ({
      option: `apt.repositories.r.${field}`,
      config: (s) => ({ apt: { repositories: { r: { ...aptRepository, [field]: [field === "uris" ? `https://x.example/${s}` : s] } } } }),
      readBack: (gen, s) => {
        const text = file(gen, "/etc/apt/sources.list.d/roost-r.sources");
        const value = field === "uris" ? `https://x.example/${s}` : s;
        const key = { uris: "URIs", suites: "Suites", components: "Components", architectures: "Architectures" }[field];
        assert.equal(readDeb822(text).get(key), value);
        keep(
          samples.sources,
          { text, expect: { uris: "https://x.example/debian", suites: "bookworm", components: "main", architectures: "", [field]: value } },
          60,
        );
      },
    }),
  ),
  {
    option: "apt.repositories.",
    config: (s) => ({ apt: { repositories: { [s]: aptRepository } } }),
    readBack: (gen, s) => assert.ok(gen.files.get(`/etc/apt/sources.list.d/roost-${s}.sources`)),
  },
  {
    option: "apt.repositories.r.key",
    config: (s) => ({ apt: { repositories: { r: { ...aptRepository, key: s } } } }),
    readBack: (gen, s) => assert.equal(file(gen, "/etc/apt/keyrings/roost-r.asc"), s.trim() + "\n"),
  },

  // ---- users -------------------------------------------------------------------------------------
  { option: "users.users.", config: (s) => ({ users: { users: { [s]: {} } } }), readBack: (gen, s) => assert.ok(gen.manifest.users[s]) },
  ...(["group", "home", "shell", "description"] as const).map(
    (field): Slot => ({
      option: `users.users.u.${field}`,
      config: (s) => ({ users: { users: { u: { [field]: s }, ...(field === "group" ? {} : {}) } } }),
      readBack: (gen, s) => assert.equal(gen.manifest.users.u![field], s),
    }),
  ),
  {
    option: "users.users.u.extraGroups",
    config: (s) => ({ users: { users: { u: { extraGroups: [s] } }, groups: { [s]: {} } } }),
    readBack: (gen, s) => assert.deepEqual(gen.manifest.users.u!.extraGroups, [s]),
  },
  {
    option: "users.users.u.authorizedKeys",
    config: (s) => ({ users: { users: { u: { authorizedKeys: [s] } } } }),
    readBack: (gen, s) => assert.deepEqual(file(gen, "/home/u/.ssh/authorized_keys").split("\n").slice(0, -1), [s]),
  },

  // ---- firewall, health checks, networking -------------------------------------------------------
  {
    option: "networking.firewall.extraInputRules",
    config: (s) => ({ networking: { firewall: { extraInputRules: s } } }),
    readBack: (gen) => keep(samples.rulesets, file(gen, "/etc/roost/firewall.nft"), 120),
  },
  {
    option: "networking.firewall.interfaces.",
    config: (s) => ({ networking: { firewall: { interfaces: { [s]: { allowedTCPPorts: [80] } } } } }),
    readBack: (gen) => keep(samples.rulesets, file(gen, "/etc/roost/firewall.nft"), 160),
  },
  {
    option: "networking.firewall.trustedInterfaces",
    config: (s) => ({ networking: { firewall: { trustedInterfaces: [s] } } }),
    readBack: (gen) => keep(samples.rulesets, file(gen, "/etc/roost/firewall.nft"), 200),
  },
  {
    option: "healthChecks.",
    config: (s) => ({ healthChecks: { [s]: { type: "tcp", port: 22 } } }),
    readBack: (gen, s) => assert.equal(gen.manifest.healthChecks[s]?.type, "tcp"),
  },
  {
    option: "healthChecks.c.unit",
    config: (s) => ({ healthChecks: { c: { type: "unit", unit: s } } }),
    readBack: (gen, s) => assert.deepEqual(gen.manifest.healthChecks.c, { type: "unit", unit: s, timeout: 30 }),
  },
  {
    option: "healthChecks.c.host",
    config: (s) => ({ healthChecks: { c: { type: "tcp", port: 1, host: s } } }),
    readBack: (gen, s) => assert.equal((gen.manifest.healthChecks.c as { host: string }).host, s),
  },
  {
    option: "healthChecks.c.url",
    config: (s) => ({ healthChecks: { c: { type: "http", url: s } } }),
    readBack: (gen, s) => assert.equal((gen.manifest.healthChecks.c as { url: string }).url, s),
  },
  {
    option: "healthChecks.c.expectBody",
    config: (s) => ({ healthChecks: { c: { type: "http", url: "http://127.0.0.1/", expectBody: s } } }),
    readBack: (gen, s) => assert.equal((gen.manifest.healthChecks.c as { expectBody: string }).expectBody, s),
  },
  {
    option: "healthChecks.c.command",
    config: (s) => ({ healthChecks: { c: { type: "command", command: ["/usr/bin/test", s] } } }),
    readBack: (gen, s) =>
      assert.deepEqual((gen.manifest.healthChecks.c as { readonly command: readonly string[] }).command, ["/usr/bin/test", s]),
  },
  {
    option: "networking.hostName",
    config: (s) => ({ networking: { hostName: s } }),
    readBack: (gen, s) => assert.equal(file(gen, "/etc/hostname"), `${s}\n`),
  },

  // ---- secrets -----------------------------------------------------------------------------------
  {
    option: "secrets.",
    config: (s) => ({ secrets: { [s]: { secret: secret("s") } } }),
    readBack: (gen, s) => assert.equal(gen.manifest.secrets[s]!.path, `/run/roost/secrets/${s}`),
  },
  {
    option: "secrets.o.template",
    config: (s) => ({ secrets: { o: { template: s } } }),
    readBack: (gen, s) => assert.equal(gen.data["secrets/o.template"], s),
  },
  {
    option: "secrets.o.path",
    config: (s) => ({ secrets: { o: { secret: secret("s"), path: s } } }),
    readBack: (gen, s) => assert.equal(gen.manifest.secrets.o!.path, s),
  },
  {
    option: "secrets.o.environment",
    config: (s) => ({ secrets: { o: { environment: { [s]: secret("s") } } } }),
    readBack: (gen, s) => assert.equal(gen.data["secrets/o.env"], `${s}\ts\n`),
  },
];

describe("fuzzing every string option of every primitive", () => {
  const counts = { refused: 0, accepted: 0 };
  const scratch = mkdtempSync(path.join(tmpdir(), "roost-fuzz-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it(`each of ${numRuns} cases is refused with its option named, or reads back exactly (seed ${seed})`, (t) => {
    fc.assert(
      fc.property(fc.nat(slots.length - 1), text, (i, s) => {
        const slot = slots[i]!;
        let gen: HostGeneration;
        try {
          gen = build(slot.config(s));
        } catch (e) {
          assert.ok(e instanceof RoostError, `${slot.option} = ${JSON.stringify(s)}: a crash, not a Roost error: ${(e as Error).stack}`);
          assert.ok(e.format().includes(slot.option.replace(/\.$/, "")), `the error names ${slot.option}:\n${e.format()}`);
          assert.doesNotMatch(e.format(), /\n\s+at .*\.(ts|js):\d+:\d+\)?$/m, "no stack trace");
          counts.refused++;
          return;
        }
        try {
          // What `roost check` accepts, the deploy accepts: the host's data files encode it.
          hostDataFiles(gen.manifest);
          slot.readBack(gen, s);
        } catch (e) {
          throw new Error(`${slot.option} = ${JSON.stringify(s)} does not read back: ${(e as Error).message}`);
        }
        counts.accepted++;
      }),
      { numRuns, seed, includeErrorInReport: true },
    );
    t.diagnostic(`${counts.refused} refused, ${counts.accepted} accepted and read back`);
    assert.ok(counts.accepted > numRuns / 20 && counts.refused > numRuns / 20, `both outcomes occur: ${JSON.stringify(counts)}`);
  });

  it("execLine writes command words that systemd splits back exactly", () => {
    const word = text.filter((w) => !w.includes("\0") && !/[\ud800-\udfff]/.test(w));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), (argv) => {
        const argv0 = ["/usr/bin/app", ...argv];
        const line = execLine(argv0);
        const read = readUnitFile(`[Service]\nExecStart=${line.replace(/%/g, "%%")}\n`)
          .get("Service")!
          .get("ExecStart")!;
        assert.equal(read.length, 1);
        assert.deepEqual(splitExecLine(expandSpecifiers(read[0]!)!), argv0);
      }),
      { numRuns: 2000, seed },
    );
  });

  it("systemd-analyze verify objects to nothing but the fuzzed line in sampled units", async () => {
    assert.ok(samples.units.length > 50, `${samples.units.length} samples`);
    for (const { gen, unitFile, key } of samples.units) {
      const { findings, skipped } = await verifyUnits(gen);
      assert.equal(skipped, undefined);
      const lines = file(gen, `/etc/systemd/system/${unitFile}`).split("\n");
      for (const f of findings.filter((f) => f.level === "error")) {
        // A value systemd does not accept (an unknown OOM policy) is refused by roost check; it must
        // never be another line that the fuzzed value broke.
        // An ExecStart= that systemd ignores (a relative command) leaves the service without one.
        if (key === "ExecStart" && /has no ExecStart=/.test(f.message)) continue;
        const at = new RegExp(`^${unitFile.replace(/[.@]/g, "\\$&")}:(\\d+):`).exec(f.message);
        assert.ok(at, `the finding names a line of ${unitFile}: ${f.message}`);
        assert.ok(lines[Number(at[1]) - 1]!.startsWith(`${key}=`), `${f.message}\n${lines.join("\n")}`);
      }
    }
  });

  it("systemd-tmpfiles creates exactly the directories declared", () => {
    assert.ok(samples.tmpfiles.length > 10, `${samples.tmpfiles.length} samples`);
    const root = path.join(scratch, "root");
    mkdirSync(root);
    const conf = path.join(scratch, "fuzz.conf");
    writeFileSync(conf, samples.tmpfiles.map((t) => t.line).join("\n") + "\n");
    const r = spawnSync("systemd-tmpfiles", [`--root=${root}`, "--create", conf], { encoding: "utf8" });
    assert.equal(r.status, 0, `${r.stderr}\n${samples.tmpfiles.map((t) => t.line).join("\n")}`);
    for (const t of samples.tmpfiles) {
      const st = statSync(path.join(root, t.path));
      assert.ok(st.isDirectory(), t.path);
      assert.equal((st.mode & 0o7777).toString(8), t.mode, t.path);
    }
  });

  it("apt reads the sources back with exactly the given URIs, suites, components and architectures", () => {
    assert.ok(samples.sources.length > 20, `${samples.sources.length} samples`);
    const lists = path.join(scratch, "lists");
    mkdirSync(path.join(lists, "partial"), { recursive: true });
    for (const [i, s] of samples.sources.entries()) {
      const dir = path.join(scratch, `sources-${i}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, "r.sources"), s.text);
      const out = execFileSync(
        "apt-get",
        [
          "-o",
          `Dir::Etc::SourceParts=${dir}`,
          "-o",
          "Dir::Etc::SourceList=/dev/null",
          "-o",
          `Dir::State::Lists=${lists}`,
          "-o",
          "Debug::NoLocking=1",
          "indextargets",
          "--no-release-info",
          "--format",
          "$(REPO_URI)\t$(RELEASE)\t$(COMPONENT)\t$(ARCHITECTURE)",
        ],
        { encoding: "utf8" },
      );
      const rows = out
        .trim()
        .split("\n")
        .map((l) => l.split("\t"));
      assert.ok(rows.length > 0, s.text);
      for (const [uri, release, component, arch] of rows) {
        assert.equal(uri, s.expect.uris!.replace(/\/?$/, "/"), s.text);
        assert.equal(release, s.expect.suites, s.text);
        assert.equal(component, s.expect.components, s.text);
        if (s.expect.architectures) assert.ok([s.expect.architectures, "all"].includes(arch!), s.text);
      }
    }
  });

  it("nft loads each sampled ruleset as Roost's one table, or refuses it whole", () => {
    assert.ok(samples.rulesets.length > 20, `${samples.rulesets.length} samples`);
    let loaded = 0;
    for (const [i, ruleset] of samples.rulesets.entries()) {
      const f = path.join(scratch, `fw-${i}.nft`);
      writeFileSync(f, ruleset);
      const r = spawnSync("unshare", ["-n", "sh", "-c", 'nft -f "$1" && nft -j list ruleset', "sh", f], { encoding: "utf8" });
      if (r.status !== 0) continue; // nft -c in `roost check` refuses it: nothing is applied
      loaded++;
      const items = (
        JSON.parse(r.stdout) as { nftables: Record<string, { family?: string; name?: string; table?: string; chain?: string }>[] }
      ).nftables;
      assert.deepEqual(
        items.filter((x) => x.table).map((x) => `${x.table!.family} ${x.table!.name}`),
        ["inet roost"],
        ruleset,
      );
      assert.deepEqual(
        items.filter((x) => x.chain).map((x) => x.chain!.name),
        ["input"],
        ruleset,
      );
    }
    assert.ok(loaded > 10, `${loaded} rulesets loaded`);
  });
});

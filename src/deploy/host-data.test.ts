import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { Manifest } from "../build/manifest.ts";
import { RoostError } from "../core/index.ts";
import { encodeText, hostDataFiles } from "./host-data.ts";
import { hostPrelude } from "./host-scripts.ts";

const hash = (c: string) => c.repeat(64);

function manifest(over: Partial<Manifest> = {}): Manifest {
  return {
    format: 1,
    host: "h",
    files: {},
    units: {},
    users: {},
    groups: {},
    directories: {},
    packages: [],
    aptRepositories: [],
    firewall: null,
    healthChecks: {},
    deployment: { confirmTimeout: 60, keepGenerations: 5 },
    secrets: {},
    ...over,
  };
}

/**
 * Read a data file with the host scripts' own reader (prelude.sh `row`), in a directory where a
 * command substitution that ran would leave a file behind.
 */
function readBack(kind: string, text: string): { rows: string[][]; stdout: string; code: number; ran: boolean } {
  const dir = mkdtempSync(path.join(tmpdir(), "roost-rows-"));
  try {
    writeFileSync(path.join(dir, "data"), text);
    const script = `${hostPrelude}\ncd "$1"\nwhile IFS= read -r line; do row "$2" "$line"; printf '%s\\0' "\${ROW[@]}"; printf '\\1'; done < data\n`;
    const r = spawnSync("bash", ["-c", script, "reader", dir, kind], { encoding: "utf8" });
    const rows = r.stdout
      .split("\x01")
      .filter((_, i, all) => i < all.length - 1)
      .map((rec) => rec.split("\0").slice(0, -1));
    return { rows, stdout: r.stdout, code: r.status ?? 1, ran: existsSync(path.join(dir, "pwned")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hostile = [
  "tab\there",
  "new\nline",
  "$(touch pwned)",
  "`touch pwned`",
  "back\\slash \\x41 \\n",
  "100% %41 %%",
  "carriage\rreturn",
  "del\x7f",
  "ünïcødé ✓",
  " leading and trailing ",
  "",
];

describe("host data: encoded by host-data.ts, read back by the host scripts' readers", () => {
  it("round-trips hostile free text (an http check's expected body)", () => {
    const healthChecks = Object.fromEntries(
      hostile.map((body, i) => [
        `check${i}`,
        { type: "http" as const, url: "http://127.0.0.1:8080/a?b=%41", expectStatus: 200, expectBody: body, timeout: 2.5 },
      ]),
    );
    const tsv = hostDataFiles(manifest({ healthChecks }))["health.tsv"]!;
    assert.equal(tsv.split("\n").length, hostile.length + 1, "one line per check");
    const back = readBack("health", tsv);
    assert.equal(back.code, 0, back.stdout);
    assert.equal(back.ran, false);
    const sorted = Object.keys(healthChecks).sort();
    assert.deepEqual(
      back.rows,
      sorted.map((n) => [n, "http", "3", "http://127.0.0.1:8080/a?b=%41", "200", healthChecks[n]!.expectBody]),
    );
  });

  it("round-trips a command check's words, spaces and all, through decode_argv", () => {
    const words = ["/bin/sh", "-c", ...hostile.filter((w) => w !== "")];
    const tsv = hostDataFiles(
      manifest({ healthChecks: { c: { type: "command", command: words, expectExitCode: 3, user: "nobody", timeout: 5 } } }),
    )["health.tsv"]!;
    const dir = mkdtempSync(path.join(tmpdir(), "roost-argv-"));
    try {
      writeFileSync(path.join(dir, "data"), tsv);
      const script = `${hostPrelude}\ncd "$1"\nIFS= read -r line < data; row health "$line"; printf '%s\\0' "\${ROW[@]:0:5}"; decode_argv "\${ROW[5]}"; printf '%s\\0' "\${ARGV[@]}"\n`;
      const r = spawnSync("bash", ["-c", script, "reader", dir], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.deepEqual(r.stdout.split("\0").slice(0, -1), ["c", "command", "5", "3", "nobody", ...words]);
      assert.equal(existsSync(path.join(dir, "pwned")), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("round-trips paths holding %, spaces and $(…) in files.tsv and users.tsv", () => {
    const paths = ["/srv/100% done/$(touch pwned)/a b", "/etc/%41", "/srv/`x`"];
    const files = Object.fromEntries(paths.map((p) => [p, { sha256: hash("a"), size: 1, mode: "0644", owner: "root", group: "root" }]));
    const data = hostDataFiles(manifest({ files }));
    const back = readBack("files", data["files.tsv"]!);
    assert.equal(back.code, 0, back.stdout);
    assert.equal(back.ran, false);
    assert.deepEqual(back.rows.map((r) => r[0]).sort(), [...paths].sort());

    const user = {
      existing: false,
      system: false,
      uid: 1001,
      group: "alice",
      extraGroups: ["adm", "sudo"],
      home: "/home/al ice %",
      createHome: true,
      shell: "/bin/bash",
      description: "Alice $(touch pwned) \\ % ✓",
      authorizedKeys: [],
    };
    const users = readBack("users", hostDataFiles(manifest({ users: { alice: user } }))["users.tsv"]!);
    assert.equal(users.code, 0, users.stdout);
    assert.equal(users.ran, false);
    assert.deepEqual(users.rows, [
      ["alice", "1001", "alice", "adm,sudo", "/home/al ice %", "1", "/bin/bash", "0", "Alice $(touch pwned) \\ % ✓", "0", "0"],
    ]);
  });

  it("refuses what has no safe encoding: names with tabs or newlines, GECOS with ':', NUL", () => {
    const check = { type: "unit" as const, unit: "a.service", timeout: 5 };
    assert.throws(
      () => hostDataFiles(manifest({ healthChecks: { "x\t1\n$(id)": check } })),
      (e: unknown) => e instanceof RoostError && /healthChecks\."x\\t1\\n\$\(id\)": .* cannot be sent to a host/.test(e.headline),
    );
    const user = {
      existing: false,
      system: false,
      uid: null,
      group: "a",
      extraGroups: [],
      home: "/home/a",
      createHome: true,
      shell: "/bin/sh",
      description: "a:b",
      authorizedKeys: [],
    };
    assert.throws(
      () => hostDataFiles(manifest({ users: { a: user } })),
      /users\.users\.a\.description: the GECOS field cannot hold ":" or control characters/,
    );
    assert.throws(
      () => hostDataFiles(manifest({ users: { "Bad Name": { ...user, description: "" } } })),
      /users\.users\.Bad Name: "Bad Name" cannot be sent to a host/,
    );
    assert.throws(() => encodeText("a\0b", "x"), /a NUL character cannot reach a host/);
  });

  it("the readers refuse hand-made hostile rows before any use, and run nothing", () => {
    // The attack the old format allowed: a check name with a tab and newline added a row whose
    // timeout was evaluated in $((…)).
    const attacks: [string, string][] = [
      ["health", "x\tunit\t1+$(touch pwned)\ta.service\n"],
      ["health", "x\tunit\ta[$(touch pwned)]\ta.service\n"],
      ["health", "x\tshell\t5\ta.service\n"],
      ["health", "x\tunit\t08\ta.service\n"],
      ["files", "relative/path\t" + hash("a") + "\t0644\troot\troot\n"],
      ["files", "/etc/a%0Ab\t" + hash("a") + "\t0644\troot\troot\n"],
      ["files", "/etc/../shadow\t" + hash("a") + "\t0644\troot\troot\n"],
      ["files", "/etc/x\t" + hash("a") + "\t0644\troot\n"],
      ["files", "/etc/x\t" + hash("a") + "\t0644\t$(touch pwned)\troot\n"],
      ["users", "a\t0\ta\t-\t/home/a\t1\t/bin/sh\t0\t%zz\t0\t0\n"],
      ["units", "a.service\t" + hash("b") + "\t-\t1\t*\n"],
    ];
    for (const [kind, text] of attacks) {
      const r = readBack(kind, text);
      assert.notEqual(r.code, 0, `${kind}: ${JSON.stringify(text)} was accepted`);
      assert.match(r.stdout, /^error host data: /, JSON.stringify(text));
      assert.equal(r.ran, false, JSON.stringify(text));
      assert.deepEqual(r.rows, []);
    }
  });
});

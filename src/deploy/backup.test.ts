import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatSnapshots } from "../cli/commands/backup.ts";
import { main } from "../cli/main.ts";
import { backupJobName, parseBackupLine, restoreTarget, snapshotId } from "./backup.ts";

describe("roost backup arguments and lines", () => {
  it("takes job names, snapshot ids and absolute targets, and refuses the rest", () => {
    assert.deepEqual(backupJobName("shop-db_2"), { job: "shop-db_2" });
    for (const j of ["", "-", "Shop", "a b", "x;reboot", "../etc", "a".repeat(49)]) assert.ok("why" in backupJobName(j), j);
    assert.equal(snapshotId("0123abcd"), "0123abcd");
    for (const s of ["0123abc", "0123ABCD", "latest", "0123abcd;id", "g123abcd"]) assert.equal(snapshotId(s), null, s);
    assert.deepEqual(restoreTarget("/var/tmp/restore/"), { target: "/var/tmp/restore" });
    assert.deepEqual(restoreTarget("/"), { target: "/" });
    for (const t of ["var/tmp", "/var/../etc", "/a/./b", "/a\nb", "/a\\b", ""]) assert.ok("why" in restoreTarget(t), JSON.stringify(t));
  });

  it("parses the runner's lines", () => {
    assert.deepEqual(parseBackupLine("snapshot shop 1a2b3c4d 2026-11-26T15:00:00Z 20261126T150000Z postgresql shop"), {
      kind: "snapshot",
      snapshot: { job: "shop", id: "1a2b3c4d", time: "2026-11-26T15:00:00Z", run: "20261126T150000Z", kind: "postgresql", name: "shop" },
    });
    assert.deepEqual(parseBackupLine("snapshot shop 1a2b3c4d 2026-11-26T15:00:00Z 20261126T150000Z files -").kind, "snapshot");
    assert.deepEqual(parseBackupLine("ran shop failed"), { kind: "ran", job: "shop", ok: false });
    assert.deepEqual(parseBackupLine("log Fatal: unable to open repository"), { kind: "log", text: "Fatal: unable to open repository" });
    assert.deepEqual(parseBackupLine("snapshot shop nothex"), { kind: "other", text: "snapshot shop nothex" });
  });

  it("lists snapshots by job and run, one line each", () => {
    const snapshots = [
      { job: "shop", id: "bbbbbbbb11", time: "2026-11-26T15:00:02Z", run: "20261126T150000Z", kind: "postgresql" as const, name: "shop" },
      { job: "shop", id: "aaaaaaaa11", time: "2026-11-26T15:00:01Z", run: "20261126T150000Z", kind: "files" as const, name: null },
      { job: "etc", id: "cccccccc11", time: "2026-11-25T15:00:01Z", run: "20261125T150000Z", kind: "files" as const, name: null },
    ];
    assert.equal(
      formatSnapshots(snapshots),
      [
        "JOB   TIME                  SNAPSHOT  WHAT",
        "etc   2026-11-25T15:00:01Z  cccccccc  files",
        "shop  2026-11-26T15:00:01Z  aaaaaaaa  files",
        "shop  2026-11-26T15:00:02Z  bbbbbbbb  postgresql shop",
      ].join("\n"),
    );
    assert.equal(formatSnapshots([]), "no snapshots");
  });

  it("refuses a bad job, snapshot or target as a usage error before opening the fleet", async () => {
    const config = "/nonexistent/roost.config.ts";
    for (const args of [
      ["list", "web", "x;reboot"],
      ["run", "web", "../etc"],
      ["restore", "web", "shop", "--snapshot", "latest"],
      ["restore", "web", "shop", "--to", "relative/dir"],
      ["restore", "web", "shop", "--to", "/a/../etc"],
    ]) {
      const stderr: string[] = [];
      const write = process.stderr.write;
      process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
      try {
        assert.equal(await main(["node", "roost", "-c", config, "backup", ...args]), 2, args.join(" "));
      } finally {
        process.stderr.write = write;
      }
      assert.match(stderr.join(""), /error: (not a backup job name|--snapshot: not a snapshot id|--to: )/, args.join(" "));
      assert.doesNotMatch(stderr.join(""), /nonexistent/, "the fleet file was never read");
    }
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fleetHostName, journalSince, unitName } from "./logs.ts";

describe("roost logs arguments", () => {
  it("passes a duration back from now or a time as one journalctl argument", () => {
    assert.equal(journalSince("1h"), "-1h");
    assert.equal(journalSince("90sec"), "-90s");
    assert.equal(journalSince("15min"), "-15min");
    assert.equal(journalSince("2d"), "-2d");
    assert.equal(journalSince("2025-01-31"), "2025-01-31");
    assert.equal(journalSince("2025-01-31T14:00"), "2025-01-31 14:00");
    assert.equal(journalSince("2025-01-31 14:00:05"), "2025-01-31 14:00:05");
  });

  it("refuses anything else", () => {
    for (const text of ["", "0h", "1y", "-1h", "1 h", "yesterday", "2025-01-31;reboot", "2025-1-31", "--all", "1h\n"])
      assert.equal(journalSince(text), null, text);
  });

  it("takes a host name for --fleet --host, and nothing that could be a path or a glob", () => {
    for (const name of ["tiger", "web-1", "db.internal", "A9"]) assert.equal(fleetHostName(name), true, name);
    for (const name of ["", "*", "../cheetah", "-x", "a/b", "a b", "t;reboot", ".hidden", "tiger\n"])
      assert.equal(fleetHostName(name), false, name);
  });

  it("takes unit names and refuses what is not one", () => {
    for (const u of ["nginx", "nginx.service", "getty@tty1.service", "sys-devices-x\\x2dy.device"])
      assert.deepEqual(unitName(u), { unit: u });
    for (const u of ["", "-f", "--since=1h", "a b", "x;reboot", "../etc/passwd", "$(id)", "é.service", "a".repeat(257)])
      assert.ok("why" in unitName(u), u);
  });
});

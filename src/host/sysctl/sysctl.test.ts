import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorOf } from "../../core/test-support.ts";
import { buildOne, fileText } from "../test-support.ts";
import { sysctlPath } from "./options.ts";

describe("boot.kernel.sysctl", () => {
  it("writes one sorted line a parameter, booleans as 1 and 0, and a unit that applies the file when it changes", () => {
    const gen = buildOne({
      boot: { kernel: { sysctl: { "vm.swappiness": 10, "-kernel.perf_event_paranoid": 1, "net.ipv4.ip_forward": true } } },
    });
    assert.equal(fileText(gen, sysctlPath), "-kernel.perf_event_paranoid = 1\nnet.ipv4.ip_forward = 1\nvm.swappiness = 10\n");
    const unit = fileText(gen, "/etc/systemd/system/roost-sysctl.service");
    assert.match(unit, /^ExecStart=\/usr\/lib\/systemd\/systemd-sysctl \/etc\/sysctl\.d\/60-roost\.conf$/m);
    assert.match(unit, /^After=systemd-sysctl\.service$/m);
  });

  it("writes nothing when no parameter is set", () => {
    const gen = buildOne({});
    assert.equal(gen.files.has(sysctlPath), false);
    assert.equal(gen.files.has("/etc/systemd/system/roost-sysctl.service"), false);
  });

  it("refuses a name that is not a kernel parameter and a value sysctl.d could not hold, naming the option", () => {
    for (const [sysctl, bad] of [
      [{ "vm swappiness": 1 }, /boot\.kernel\.sysctl\."vm swappiness": expected a name that is a kernel parameter/],
      [{ "vm.swappiness": "10\nkernel.x = 1" }, /boot\.kernel\.sysctl\."vm\.swappiness"/],
      [{ "vm.swappiness": " 10" }, /boot\.kernel\.sysctl\."vm\.swappiness"/],
    ] as const) {
      const e = errorOf(() => buildOne({ boot: { kernel: { sysctl } } }));
      assert.match(e, bad);
    }
  });
});

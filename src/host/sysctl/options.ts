import { option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";

export const sysctlPath = "/etc/sysctl.d/60-roost.conf";

/** A kernel parameter as sysctl.d names it; a leading - means "a kernel that refuses it is not an error". */
const key = t.strMatching(
  /^-?[a-z0-9_]+(?:[./][A-Za-z0-9_:*-]+)+$/,
  "a kernel parameter (e.g. net.core.somaxconn), optionally led by - (a failure to set it is ignored)",
);
const value = t.either(t.int, t.either(t.bool, t.strMatching(/^\S(?:[^\n\r\0]*\S)?$/, "one line of text, not led or ended by spaces")));

export const sysctlOptions = {
  boot: {
    kernel: {
      sysctl: option({
        type: t.attrsOf(value, key),
        default: {},
        description:
          "Kernel parameters, written to /etc/sysctl.d/60-roost.conf: set at boot by systemd-sysctl and, when they change, at activation (a parameter the kernel refuses fails the switch, which is rolled back, unless its name starts with -). true and false are written as 1 and 0. A parameter removed from this set keeps its value until the next boot; inside a container, systemd-sysctl skips parameters the container may not write.",
        example: { "net.core.somaxconn": 4096, "vm.swappiness": 10, "-kernel.perf_event_paranoid": 1 },
      }),
    },
  },
} satisfies OptionTree;

/** The sysctl.d file: one `name = value` line a parameter, sorted. */
export function renderSysctl(params: Readonly<Record<string, number | boolean | string>>): string {
  return Object.keys(params)
    .sort()
    .map((k) => {
      const v = params[k]!;
      return `${k} = ${typeof v === "boolean" ? (v ? 1 : 0) : v}\n`;
    })
    .join("");
}

export const sysctlModule = defineHostModule({
  name: "sysctl",
  options: sysctlOptions,
  config: ({ config }) => {
    const params = config.boot.kernel.sysctl;
    if (Object.keys(params).length === 0) return {};
    const text = renderSysctl(params);
    return {
      files: { [sysctlPath]: { text } },
      systemd: {
        services: {
          "roost-sysctl": {
            description: "Roost's kernel parameters (boot.kernel.sysctl)",
            wantedBy: ["multi-user.target"],
            after: ["systemd-sysctl.service"],
            serviceConfig: {
              Type: "oneshot",
              RemainAfterExit: true,
              ExecStart: [`/usr/lib/systemd/systemd-sysctl ${sysctlPath}`],
            },
            restartTriggers: [text],
          },
        },
      },
    };
  },
});

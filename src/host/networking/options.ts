import { mkOverride, option, priorities, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";

export const hostName = t.strMatching(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "host name (a-z, 0-9, -)");

export const networkingOptions = {
  networking: {
    hostName: option({ type: hostName, description: "The host's name.", defaultText: "its name in the fleet" }),
    domain: option({ type: t.nullOr(t.str), default: null, description: "DNS domain; the FQDN is hostName.domain." }),
    addresses: option({
      type: t.listOf(t.strMatching(/^[^\s@/]+$/, "IP address or host name")),
      description: "Addresses other hosts use to reach this one (a monitoring server, a backup target), best first.",
      defaultText: "[deployment.targetHost]",
    }),
  },
} satisfies OptionTree;

export const networkingModule = defineHostModule({
  name: "networking",
  options: networkingOptions,
  config: ({ config }) => ({
    files: { "/etc/hostname": { text: `${config.networking.hostName}\n` } },
    networking: {
      // A getter: targetHost is read only when some module reads the addresses.
      get addresses() {
        return mkOverride(priorities.optionDefault, [config.deployment.targetHost]);
      },
    },
  }),
});

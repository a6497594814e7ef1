import { option, showPath, types as t } from "../../core/index.ts";
import { addressOrNetwork } from "../firewall/options.ts";

const isLoopback = (a: string) => /^(127\.|\[::1\]$|::1$|localhost$)/.test(a);

export interface ServicePort {
  readonly port: number;
  readonly protocol?: "tcp" | "udp";
  /** The addresses the service binds. */
  readonly addresses: readonly string[];
  /** The option path that sets the port; its siblings openFirewall and allowedSources are named in errors. */
  readonly option: readonly string[];
  /** The option path that sets the addresses, for the error when they are loopback only. */
  readonly addressesOption: readonly string[];
  readonly openFirewall: boolean;
  readonly allowedSources: readonly string[];
}

/**
 * What a network service defines for one port: a networking.ports entry per bind address, the
 * firewall opened to everyone (openFirewall) or to some sources, and an assertion that refuses to
 * open a port the service binds on loopback only. Spread into a module's definitions:
 * `{ ...servicePort("mysql", {...}), systemd: … }` — or merge several with mkMerge.
 */
export function servicePort(name: string, s: ServicePort) {
  const protocol = s.protocol ?? "tcp";
  const opened = protocol === "tcp" ? "allowedTCPPorts" : "allowedUDPPorts";
  const parent = s.option.slice(0, -1);
  return {
    networking: {
      ports: Object.fromEntries(
        s.addresses.map((address, i) => [
          s.addresses.length === 1 ? name : `${name}-${i}`,
          { port: s.port, protocol, address, option: [...s.option] },
        ]),
      ),
      firewall: {
        [opened]: s.openFirewall ? [s.port] : [],
        sources: s.allowedSources.length > 0 ? { [name]: { addresses: [...s.allowedSources], [opened]: [s.port] } } : {},
      },
    },
    assertions: [
      {
        assertion: s.addresses.some((a) => !isLoopback(a)) || (!s.openFirewall && s.allowedSources.length === 0),
        message: `${showPath(parent)}: openFirewall and allowedSources open the port to other hosts, but ${showPath(s.addressesOption)} has only loopback addresses`,
        options: [[...parent, "openFirewall"], [...parent, "allowedSources"], [...s.addressesOption]],
      },
    ],
  };
}

/** The options servicePort reads, for a service's own option tree: who may reach its port. */
export function servicePortOptions() {
  return {
    openFirewall: option({
      type: t.bool,
      default: false,
      description: "Open the port to every address (needs a bind address beyond loopback).",
    }),
    allowedSources: option({
      type: t.listOf(addressOrNetwork),
      default: [],
      description: "Addresses and networks the port is open to.",
      example: ["10.0.0.0/24"],
    }),
  };
}

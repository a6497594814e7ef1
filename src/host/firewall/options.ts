import { mkIf, option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";
import { inputRules } from "./input-rules.ts";
import { renderRuleset, rulesetPath } from "./ruleset.ts";

const ports = (proto: string) => option({ type: t.listOf(t.port), default: [], description: `${proto} ports open to everyone.` });
const ranges = (proto: string) =>
  option({
    type: t.listOf(
      t.submodule({
        options: { from: option({ type: t.port, description: "First port." }), to: option({ type: t.port, description: "Last port." }) },
        validate: (r) => (r.from > r.to ? "from is above to" : null),
      }),
    ),
    default: [],
    description: `${proto} port ranges open to everyone.`,
  });

const octet = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const ipv4 = new RegExp(`^${octet}(\\.${octet}){3}(/(3[0-2]|[12]?\\d))?$`);
const ipv6 = /^(?=.*:)[0-9a-f:.]{2,45}(\/(12[0-8]|1[01]\d|[1-9]?\d))?$/i;

/** An IPv4 or IPv6 address or network ("10.0.0.0/8", "fd00::/8"), as nftables reads it. */
export const addressOrNetwork = t.strSatisfying("IP address or network (CIDR)", (v) =>
  ipv4.test(v) || (ipv6.test(v) && !v.includes(":::")) ? null : "it is not an IPv4 or IPv6 address or network",
);

const source = t.submodule({
  options: {
    addresses: option({
      type: t.listOf(addressOrNetwork),
      description: "Addresses and networks the ports are open to.",
      example: ["10.0.0.0/8", "fd00::/8"],
    }),
    allowedTCPPorts: option({ type: t.listOf(t.port), default: [], description: "TCP ports open to these addresses." }),
    allowedUDPPorts: option({ type: t.listOf(t.port), default: [], description: "UDP ports open to these addresses." }),
  },
  validate: (s) => (s.addresses.length === 0 ? "a source needs at least one address" : null),
});

const iface = t.submodule({
  options: {
    allowedTCPPorts: ports("TCP"),
    allowedUDPPorts: ports("UDP"),
  },
});

export const firewallOptions = {
  networking: {
    firewall: {
      enable: option({ type: t.bool, default: true, description: "Filter incoming traffic with nftables: drop what is not allowed." }),
      allowedTCPPorts: ports("TCP"),
      allowedUDPPorts: ports("UDP"),
      allowedTCPPortRanges: ranges("TCP"),
      allowedUDPPortRanges: ranges("UDP"),
      interfaces: option({
        type: t.attrsOf(iface, t.strMatching(/^[A-Za-z0-9_.:-]{1,15}$/, "interface name")),
        default: {},
        description: "Ports open only on one interface.",
        example: { wg0: { allowedTCPPorts: [9100] } },
      }),
      sources: option({
        type: t.attrsOf(source, t.strMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "source name")),
        default: {},
        description: "Ports open only to some addresses, by a name of your choosing.",
        example: { monitoring: { addresses: ["10.0.0.5"], allowedTCPPorts: [9100] } },
      }),
      trustedInterfaces: option({
        type: t.listOf(t.strMatching(/^[A-Za-z0-9_.:+-]{1,15}$/, "interface name")),
        default: [],
        description: "Interfaces on which everything is accepted.",
      }),
      sshPorts: option({
        type: t.listOf(t.ints.between(1, 65535)),
        default: [22],
        description: "SSH ports, always open so a deploy never locks itself out.",
      }),
      allowPing: option({ type: t.bool, default: true, description: "Answer ICMP echo requests." }),
      extraInputRules: option({
        type: inputRules,
        default: "",
        description: "Raw nftables rules added to the input chain before the final drop.",
        example: "ip saddr 10.0.0.0/8 tcp dport 5432 accept",
      }),
    },
  },
} satisfies OptionTree;

export const firewallModule = defineHostModule({
  name: "firewall",
  options: firewallOptions,
  config: ({ config }) => {
    // Rendered only when the file is merged: sources may list other hosts' addresses, which read
    // back into this host's config.
    const ruleset = () => renderRuleset(config.networking.firewall);
    return mkIf(config.networking.firewall.enable, {
      assertions: [
        {
          assertion: config.networking.firewall.sshPorts.length > 0,
          message: "networking.firewall.sshPorts is empty: SSH must stay open for deploys to reach the host",
        },
      ],
      packages: ["nftables"],
      files: {
        [rulesetPath]: {
          get text() {
            return ruleset();
          },
          mode: "0600",
        },
      },
      systemd: {
        services: {
          "roost-firewall": {
            description: "Roost firewall (nftables)",
            wantedBy: ["multi-user.target"],
            before: ["network-pre.target"],
            wants: ["network-pre.target"],
            unitConfig: { DefaultDependencies: false },
            serviceConfig: {
              Type: "oneshot",
              RemainAfterExit: true,
              ExecStart: [`/usr/sbin/nft -f ${rulesetPath}`],
              ExecReload: [`/usr/sbin/nft -f ${rulesetPath}`],
              ExecStop: ["/usr/sbin/nft delete table inet roost"],
            },
            restartIfChanged: false,
            get reloadTriggers() {
              return [ruleset()];
            },
          },
        },
      },
    });
  },
});

import type { HostConfig } from "../module.ts";

type Firewall = HostConfig["networking"]["firewall"];

export const rulesetPath = "/etc/roost/firewall.nft";

const set = (ports: readonly number[]) => {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  return sorted.length === 1 ? String(sorted[0]) : `{ ${sorted.join(", ")} }`;
};

/**
 * An nftables ruleset that replaces only Roost's own table, atomically: `nft -f` applies the whole
 * file as one transaction, so a reload never leaves the host unfiltered for a moment.
 */
export function renderRuleset(fw: Firewall): string {
  const rules: string[] = ["ct state established,related accept", "ct state invalid drop", 'iifname "lo" accept'];
  if (fw.trustedInterfaces.length)
    rules.push(
      `iifname { ${[...fw.trustedInterfaces]
        .sort()
        .map((i) => JSON.stringify(i))
        .join(", ")} } accept`,
    );
  rules.push("icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert, mld-listener-query } accept");
  if (fw.allowPing) rules.push("icmp type echo-request accept", "icmpv6 type echo-request accept");
  const tcp = [...fw.sshPorts, ...fw.allowedTCPPorts];
  rules.push(`tcp dport ${set(tcp)} accept`);
  if (fw.allowedUDPPorts.length) rules.push(`udp dport ${set(fw.allowedUDPPorts)} accept`);
  for (const r of fw.allowedTCPPortRanges) rules.push(`tcp dport ${r.from}-${r.to} accept`);
  for (const r of fw.allowedUDPPortRanges) rules.push(`udp dport ${r.from}-${r.to} accept`);
  for (const name of Object.keys(fw.interfaces).sort()) {
    const i = fw.interfaces[name]!;
    if (i.allowedTCPPorts.length) rules.push(`iifname ${JSON.stringify(name)} tcp dport ${set(i.allowedTCPPorts)} accept`);
    if (i.allowedUDPPorts.length) rules.push(`iifname ${JSON.stringify(name)} udp dport ${set(i.allowedUDPPorts)} accept`);
  }
  for (const name of Object.keys(fw.sources).sort()) {
    const src = fw.sources[name]!;
    for (const [family, addresses] of [
      ["ip", src.addresses.filter((a) => !a.includes(":"))],
      ["ip6", src.addresses.filter((a) => a.includes(":"))],
    ] as const) {
      if (addresses.length === 0) continue;
      const from = `${family} saddr { ${[...new Set(addresses)].sort().join(", ")} }`;
      if (src.allowedTCPPorts.length) rules.push(`${from} tcp dport ${set(src.allowedTCPPorts)} accept`);
      if (src.allowedUDPPorts.length) rules.push(`${from} udp dport ${set(src.allowedUDPPorts)} accept`);
    }
  }
  for (const line of fw.extraInputRules.split("\n")) if (line.trim()) rules.push(line.trim());
  return [
    "#!/usr/sbin/nft -f",
    "# Rendered by roost: replaces the roost table and nothing else.",
    "table inet roost",
    "delete table inet roost",
    "table inet roost {",
    "  chain input {",
    "    type filter hook input priority filter; policy drop;",
    ...rules.map((r) => `    ${r}`),
    "  }",
    "}",
    "",
  ].join("\n");
}

// What `roost check` refuses in services.nginx, each failure naming the option and its file:line.
import { findListener, type Listener } from "roost";
import { hasSSL, serverNames, type VirtualHostValue } from "./render.ts";

type Assertion = { assertion: boolean; message: string; options: string[][] };

const dnsLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** Why a server name is not a DNS name (a leading "*." wildcard allowed), or null. */
export function dnsNameProblem(name: string, { wildcard = true } = {}): string | null {
  const bare = wildcard && name.startsWith("*.") ? name.slice(2) : name;
  if (bare.length === 0 || bare.length > 253) return "a DNS name has 1 to 253 characters";
  if (
    !bare
      .replace(/\.$/, "")
      .split(".")
      .every((l) => dnsLabel.test(l))
  )
    return "a DNS name is labels of letters, digits and - (not first or last), separated by dots";
  return null;
}

/** The local address and port of a proxy URL, or null for a unix socket or another host. */
export function localUpstream(url: string): { address: string; port: number } | null {
  const m = /^(https?):\/\/(localhost|127\.0\.0\.1|\[::1\])(?::(\d+))?(\/.*)?$/.exec(url);
  if (!m) return null;
  return { address: m[2]!, port: m[3] ? Number(m[3]) : m[1] === "https" ? 443 : 80 };
}

export function nginxAssertions(virtualHosts: Record<string, VirtualHostValue>, ports: Readonly<Record<string, Listener>>): Assertion[] {
  const out: Assertion[] = [];
  const vhostPath = (name: string) => ["services", "nginx", "virtualHosts", name];
  for (const [name, v] of Object.entries(virtualHosts)) {
    for (const [i, serverName] of serverNames(name, v).entries()) {
      const problem = dnsNameProblem(serverName);
      const option =
        i === 0 ? (v.serverName === null ? vhostPath(name) : [...vhostPath(name), "serverName"]) : [...vhostPath(name), "serverAliases"];
      if (problem)
        out.push({
          assertion: false,
          message: `services.nginx.virtualHosts."${name}": server name ${JSON.stringify(serverName)} is not a DNS name: ${problem}`,
          options: [option],
        });
    }
    if (hasSSL(v) && (v.sslCertificate === null || v.sslCertificateKey === null))
      out.push({
        assertion: false,
        message: `services.nginx.virtualHosts."${name}" serves SSL but has no sslCertificate and sslCertificateKey: set both, or enableACME (roost/services/acme)`,
        options: [vhostPath(name)],
      });
    for (const [path, l] of Object.entries(v.locations)) {
      const upstream = l.proxyPass === null ? null : localUpstream(l.proxyPass);
      if (upstream && findListener(ports, upstream) === null)
        out.push({
          assertion: false,
          message: `services.nginx.virtualHosts."${name}".locations."${path}".proxyPass: nothing on this host listens on ${upstream.address}:${upstream.port} (no networking.ports entry); declare the service's port, or fix the URL`,
          options: [[...vhostPath(name), "locations", path, "proxyPass"]],
        });
    }
  }
  const defaults = Object.entries(virtualHosts).filter(([, v]) => v.default);
  if (defaults.length > 1)
    out.push({
      assertion: false,
      message: `services.nginx.virtualHosts: ${defaults.map(([n]) => JSON.stringify(n)).join(" and ")} are each the default server; nginx takes one`,
      options: defaults.map(([n]) => [...vhostPath(n), "default"]),
    });
  return out;
}

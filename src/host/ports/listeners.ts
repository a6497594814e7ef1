/** A socket a service listens on, as declared in networking.ports. */
export interface Listener {
  readonly port: number;
  readonly protocol: "tcp" | "udp";
  readonly address: string;
}

const wildcards = new Set(["0.0.0.0", "::", "*"]);
const loopbackNames = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

function family(address: string): 4 | 6 {
  return address.includes(":") ? 6 : 4;
}

/** The concrete addresses a bind address stands for: localhost is both loopbacks. */
function expand(address: string): string[] {
  if (address === "localhost") return ["127.0.0.1", "::1"];
  return [address.replace(/^\[(.*)\]$/, "$1")];
}

function overlap(x: string, y: string): boolean {
  if (x === y || x === "::" || y === "::" || x === "*" || y === "*") return true;
  if (x === "0.0.0.0") return family(y) === 4;
  if (y === "0.0.0.0") return family(x) === 4;
  return false;
}

/**
 * Whether two bind addresses can take the same connection: equal, or one is a wildcard of a family
 * that covers the other (Linux binds `::` dual-stack by default, so it covers IPv4 too).
 */
export function addressesOverlap(a: string, b: string): boolean {
  return expand(a).some((x) => expand(b).some((y) => overlap(x, y)));
}

/**
 * The name of the declared listener that takes connections to `address`:`port`, or null. A client
 * on the host connecting to localhost reaches a listener on 127.0.0.1, ::1 or a wildcard.
 */
export function findListener(
  ports: Readonly<Record<string, Listener>>,
  target: { readonly address: string; readonly port: number; readonly protocol?: "tcp" | "udp" },
): string | null {
  const protocol = target.protocol ?? "tcp";
  const local = loopbackNames.has(target.address);
  // A client on the host that connects to localhost reaches a listener on either loopback.
  for (const name of Object.keys(ports).sort()) {
    const l = ports[name]!;
    if (l.port !== target.port || l.protocol !== protocol) continue;
    if (addressesOverlap(l.address, target.address) || (local && (wildcards.has(l.address) || loopbackNames.has(l.address)))) return name;
  }
  return null;
}

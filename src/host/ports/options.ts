import { option, showPath, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";
import { addressesOverlap, type Listener } from "./listeners.ts";

const listener = t.submodule({
  options: {
    port: option({ type: t.port, description: "The port." }),
    protocol: option({ type: t.enumOf(["tcp", "udp"]), default: "tcp", description: "tcp or udp." }),
    address: option({
      type: t.strMatching(/^([0-9.]+|\[?[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\]?|localhost|\*)$/, "IP address, localhost or *"),
      default: "0.0.0.0",
      description: "The address it binds: 0.0.0.0 (every IPv4 address), :: (every address), or one address.",
    }),
    option: option({
      type: t.listOf(t.str),
      default: [],
      description: "The option path that sets the port (segments), so a clash points at the user's line.",
      example: ["services", "apps", "shop", "port"],
    }),
  },
});

export const portsOptions = {
  networking: {
    ports: option({
      type: t.attrsOf(listener),
      default: {},
      description:
        "Who listens where on this host, by service: every service module declares its sockets here. Two that would take the same connections are an error naming both; a proxy can check that its upstream has a listener (findListener).",
      example: { nginx: { port: 443, option: ["services", "nginx", "defaultSSLListenPort"] } },
    }),
  },
} satisfies OptionTree;

type Entry = Listener & { readonly option: readonly string[] };

/** Pairs of listeners that would take the same connections, each pair once. */
export function clashes(ports: Readonly<Record<string, Entry>>): [string, string][] {
  const names = Object.keys(ports).sort();
  const out: [string, string][] = [];
  for (let i = 0; i < names.length; i++)
    for (let j = i + 1; j < names.length; j++) {
      const a = ports[names[i]!]!;
      const b = ports[names[j]!]!;
      if (a.port === b.port && a.protocol === b.protocol && addressesOverlap(a.address, b.address)) out.push([names[i]!, names[j]!]);
    }
  return out;
}

export const portsModule = defineHostModule({
  name: "ports",
  options: portsOptions,
  config: ({ config }) => ({
    get assertions() {
      const ports = config.networking.ports;
      return clashes(ports).map(([a, b]) => {
        const [pa, pb] = [ports[a]!, ports[b]!];
        const what = (name: string, p: Entry) => `${name} (${p.option.length ? showPath(p.option) : `networking.ports.${name}`})`;
        return {
          assertion: false,
          message: `${what(a, pa)} and ${what(b, pb)} both listen on ${pa.protocol} port ${pa.port} (${pa.address} and ${pb.address}): give one of them another port`,
          options: [pa.option.length ? pa.option : ["networking", "ports", a], pb.option.length ? pb.option : ["networking", "ports", b]],
        };
      });
    },
  }),
});

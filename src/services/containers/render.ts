// What one container becomes on the host: the run command line, the script that prepares its data
// directories and image, and its systemd unit.
import { createHash } from "node:crypto";
import { execLine, shellQuote, type ConfigOf } from "roost";
import { portString, volumeString, type containersOptions } from "./options.ts";

export type Settings = ConfigOf<typeof containersOptions>["virtualisation"];
export type Container = Settings["oci-containers"]["containers"][string];
export type Network = Settings["oci-containers"]["networks"][string];
export type Backend = Settings["oci-containers"]["backend"];

export interface Port {
  readonly hostAddress: string;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: "tcp" | "udp";
}

export interface Volume {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  readonly owner: string | null;
  readonly mode: string;
}

export function ports(c: Container): Port[] {
  return c.ports.map((p) => {
    if (typeof p !== "string") return p;
    const [, address, host, inner, protocol] = portString.exec(p)!;
    return {
      hostAddress: address ?? "127.0.0.1",
      hostPort: Number(host),
      containerPort: Number(inner),
      protocol: (protocol ?? "tcp") as "tcp" | "udp",
    };
  });
}

export function volumes(c: Container): Volume[] {
  return c.volumes.map((v) => {
    if (typeof v !== "string") return v;
    const [, source, target, flag] = volumeString.exec(v)!;
    return { source: source!, target: target!, readOnly: flag === "ro", owner: null, mode: "0750" };
  });
}

export const binary = (backend: Backend) => (backend === "podman" ? "/usr/bin/podman" : "/usr/bin/docker");
export const unitName = (backend: Backend, name: string) => `${backend}-${name}`;
export const networkUnitName = (backend: Backend, name: string) => `${backend}-network-${name}`;
export const interfaceName = (name: string, n: Network) => n.interfaceName ?? `ctr-${name}`;
export const imagePath = (name: string) => `/var/lib/roost-containers/images/${name}.tar`;

/** A short, stable digest of a value: the label that tells whether a network matches its settings. */
export const digest = (v: unknown) => createHash("sha256").update(JSON.stringify(v)).digest("hex").slice(0, 16);

export interface RunContext {
  readonly backend: Backend;
  /** Variable names each environmentFiles entry sets, in its order. */
  readonly secretVariables: readonly string[];
  /** null: --cgroups=no-conmon (conmon stays in the unit); a string: containers.conf decides. */
  readonly cgroupsFromConf: boolean;
}

/** The `podman run` / `docker run` words of one container. */
export function runArguments(name: string, c: Container, ctx: RunContext): string[] {
  const podman = ctx.backend === "podman";
  const args = [binary(ctx.backend), "run", `--name=${name}`, "--rm"];
  if (podman) {
    args.push("--replace", "--sdnotify=conmon", "-d");
    if (!ctx.cgroupsFromConf) args.push("--cgroups=no-conmon");
  }
  args.push("--log-driver=journald", `--log-opt=tag=${name}`, `--pull=${c.pullPolicy}`);
  for (const n of c.networks) args.push(`--network=${n}`);
  for (const p of ports(c)) args.push(`--publish=${p.hostAddress}:${p.hostPort}:${p.containerPort}/${p.protocol}`);
  for (const v of volumes(c)) args.push(`--volume=${v.source}:${v.target}${v.readOnly ? ":ro" : ""}`);
  for (const [k, v] of Object.entries(c.environment).sort(([a], [b]) => a.localeCompare(b))) args.push(`--env=${k}=${v}`);
  for (const k of ctx.secretVariables) args.push(`--env=${k}`);
  for (const [k, v] of Object.entries(c.labels).sort(([a], [b]) => a.localeCompare(b))) args.push(`--label=${k}=${v}`);
  if (c.user !== null) args.push(`--user=${c.user}`);
  if (c.workdir !== null) args.push(`--workdir=${c.workdir}`);
  if (c.entrypoint !== null) args.push(`--entrypoint=${c.entrypoint}`);
  if (c.memory !== null) args.push(`--memory=${c.memory}b`);
  if (c.cpus !== null) args.push(`--cpus=${c.cpus}`);
  if (c.healthCommand !== null) {
    args.push(
      podman ? `--health-cmd=${JSON.stringify(c.healthCommand)}` : `--health-cmd=${c.healthCommand.map(shellQuote).join(" ")}`,
      `--health-interval=${c.healthInterval}s`,
    );
  }
  args.push(...c.extraOptions, c.image, ...c.cmd);
  return args;
}

/** Shell lines run before each start: data directories with their numeric owners, and the image. */
export function prepareScript(name: string, c: Container, backend: Backend, imageId: string | null): string | null {
  const lines: string[] = [];
  for (const v of volumes(c)) {
    if (v.owner === null || !v.source.startsWith("/")) continue;
    const [uid, gid] = v.owner.split(":");
    lines.push(`install -d -m ${v.mode} -o ${uid} -g ${gid} ${shellQuote(v.source)}`);
  }
  if (imageId !== null && c.imageFile !== null) {
    const bin = binary(backend);
    const image = shellQuote(c.image);
    // The host loads the archive only when the name does not already point at this image id.
    lines.push(
      `have=$(${bin} image inspect --format '{{.Id}}' ${image} 2>/dev/null || true)`,
      `if [ "\${have#sha256:}" != ${imageId} ]; then`,
      `  ${bin} image inspect ${imageId} >/dev/null 2>&1 || ${bin} load -q -i ${shellQuote(imagePath(name))}`,
      `  ${bin} tag ${imageId} ${image}`,
      "fi",
    );
  }
  return lines.length ? `${lines.join("\n")}\n` : null;
}

/** The /24 a network gets when it names none: stable for its name, so adding a network moves no other. */
export function subnet(name: string, n: Network): string {
  if (n.subnet !== null) return n.subnet;
  const k = createHash("sha256").update(name).digest().readUInt16BE(0) % 200;
  return `10.89.${10 + k}.0/24`;
}

const gateway = (net: string) => net.replace(/\.0\/24$/, ".1");

/** The network as podman 4 stores it (netavark's config): podman reads it on every command. */
export function podmanNetwork(name: string, n: Network): object {
  return {
    name,
    id: createHash("sha256").update(`roost network ${name}`).digest("hex"),
    driver: "bridge",
    network_interface: interfaceName(name, n),
    created: "2000-01-01T00:00:00Z",
    subnets: [{ subnet: subnet(name, n), gateway: gateway(subnet(name, n)) }],
    ipv6_enabled: false,
    internal: n.internal,
    dns_enabled: n.dns,
    ipam_options: { driver: "host-local" },
  };
}

/** The script of a docker network's oneshot unit: create it, or recreate it when its settings changed. */
export function dockerNetworkScript(name: string, n: Network): string {
  const bin = binary("docker");
  const want = digest(n);
  const create = [
    bin,
    "network",
    "create",
    `--label=roost.settings=${want}`,
    `--opt=com.docker.network.bridge.name=${interfaceName(name, n)}`,
  ];
  create.push(`--subnet=${subnet(name, n)}`);
  if (n.internal) create.push("--internal");
  create.push(name);
  return [
    `have=$(${bin} network inspect --format '{{index .Labels "roost.settings"}}' ${name} 2>/dev/null || true)`,
    `if [ "$have" != ${want} ]; then`,
    `  ${bin} network rm ${name} >/dev/null 2>&1 || true`,
    `  ${create.map(shellQuote).join(" ")} >/dev/null`,
    "fi",
    "",
  ].join("\n");
}

export const stopLine = (backend: Backend, name: string) =>
  execLine(
    backend === "podman" ? ["/usr/bin/podman", "stop", "--ignore", "-t", "10", name] : ["/usr/bin/docker", "stop", "-t", "10", name],
  );

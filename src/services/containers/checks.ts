// What `roost check` refuses in virtualisation.oci-containers, each error naming the user's lines.
import type { HostConfig } from "roost";
import type { ImageArchive } from "./image-archive.ts";
import { isFullyQualified, unpinnedReason } from "./image-ref.ts";
import { interfaceName, subnet, volumes, type Container, type Settings } from "./render.ts";

interface Assertion {
  readonly assertion: boolean;
  readonly message: string;
  readonly options: string[][];
}

export function containerChecks(
  virtualisation: Settings,
  secrets: HostConfig["secrets"],
  archive: (name: string) => ImageArchive | string | null,
): Assertion[] {
  const oci = virtualisation["oci-containers"];
  const out: Assertion[] = [];
  const path = (name: string, ...rest: string[]) => ["virtualisation", "oci-containers", "containers", name, ...rest];
  const at = (name: string, option: string) => `virtualisation.oci-containers.containers.${name}.${option}`;
  const cgroupsOff =
    (virtualisation.containers.containersConf.settings.containers as Record<string, unknown> | undefined)?.cgroups === "disabled";

  for (const [name, c] of Object.entries(oci.containers) as [string, Container][]) {
    const unpinned = unpinnedReason(c.image);
    if (unpinned !== null && !c.allowUnpinned)
      out.push({
        assertion: false,
        message: `${at(name, "image")}: ${c.image} is not pinned: ${unpinned}. Name a tag or a digest (or set allowUnpinned)`,
        options: [path(name, "image")],
      });
    if (oci.backend === "podman" && !isFullyQualified(c.image))
      out.push({
        assertion: false,
        message: `${at(name, "image")}: ${c.image} names no registry, and podman resolves no short names: write e.g. docker.io/library/${c.image}`,
        options: [path(name, "image")],
      });
    const problem = archive(name);
    if (typeof problem === "string")
      out.push({ assertion: false, message: `${at(name, "imageFile")}: ${problem}`, options: [path(name, "imageFile")] });
    for (const n of c.networks)
      if (!(n in oci.networks))
        out.push({
          assertion: false,
          message: `${at(name, "networks")}: the network ${n} is not declared in virtualisation.oci-containers.networks (it has ${
            Object.keys(oci.networks).sort().join(", ") || "none"
          })`,
          options: [path(name, "networks")],
        });
    for (const d of c.dependsOn)
      if (!(d in oci.containers) || d === name)
        out.push({
          assertion: false,
          message: `${at(name, "dependsOn")}: ${d === name ? "a container cannot depend on itself" : `there is no container ${d}`}`,
          options: [path(name, "dependsOn")],
        });
    for (const s of c.environmentFiles) {
      const output = secrets[s];
      if (output === undefined || Object.keys(output.environment).length === 0)
        out.push({
          assertion: false,
          message: `${at(name, "environmentFiles")}: ${
            output === undefined ? `there is no secrets.${s}` : `secrets.${s} is not written with environment, so its variables are unknown`
          }`,
          options: [path(name, "environmentFiles")],
        });
    }
    for (const v of volumes(c))
      if (v.owner !== null && !v.source.startsWith("/"))
        out.push({
          assertion: false,
          message: `${at(name, "volumes")}: ${v.source} is a named volume; owner applies to host directories only`,
          options: [path(name, "volumes")],
        });
    if (cgroupsOff && (c.memory !== null || c.cpus !== null))
      out.push({
        assertion: false,
        message: `${at(name, c.memory !== null ? "memory" : "cpus")}: limits need cgroups, which virtualisation.containers.containersConf.settings turns off`,
        options: [path(name, c.memory !== null ? "memory" : "cpus"), ["virtualisation", "containers", "containersConf", "settings"]],
      });
  }
  // One name on the host points at one image: two archives under one name would retag it at each start.
  const byImage = new Map<string, [string, string]>();
  for (const [name, c] of Object.entries(oci.containers).sort(([a], [b]) => a.localeCompare(b))) {
    const a = archive(name);
    if (a === null || typeof a === "string") continue;
    const seen = byImage.get(c.image);
    if (seen !== undefined && seen[1] !== a.id)
      out.push({
        assertion: false,
        message: `${at(seen[0], "imageFile")} and ${at(name, "imageFile")} are different images under one name, ${c.image}: give each its own tag`,
        options: [path(seen[0], "imageFile"), path(name, "imageFile")],
      });
    else byImage.set(c.image, [name, a.id]);
  }
  const bySubnet = new Map<string, string>();
  for (const [n, net] of Object.entries(oci.networks).sort(([a], [b]) => a.localeCompare(b))) {
    const other = bySubnet.get(subnet(n, net));
    if (other !== undefined)
      out.push({
        assertion: false,
        message: `virtualisation.oci-containers.networks: ${other} and ${n} both get ${subnet(n, net)}: set subnet on one of them`,
        options: [
          ["virtualisation", "oci-containers", "networks", other],
          ["virtualisation", "oci-containers", "networks", n],
        ],
      });
    bySubnet.set(subnet(n, net), n);
  }
  for (const [n, net] of Object.entries(oci.networks))
    if (interfaceName(n, net).length > 15)
      out.push({
        assertion: false,
        message: `virtualisation.oci-containers.networks.${n}: ctr-${n} is too long for an interface name (15 characters): set interfaceName`,
        options: [["virtualisation", "oci-containers", "networks", n]],
      });
  return out;
}

// OCI containers as systemd units, the NixOS way (virtualisation.oci-containers): one unit per
// container that Roost writes itself (Debian 12's podman 4.3 has no quadlet), restarted only when that
// container's settings or image change. Images can come without a registry, as archives that travel
// with the generation.
import { defineModule, execLine, formats, mkIf } from "roost";
import { containerChecks } from "./checks.ts";
import { readImageArchive, type ImageArchive } from "./image-archive.ts";
import { containersOptions, toml } from "./options.ts";
import {
  binary,
  imagePath,
  interfaceName,
  dockerNetworkScript,
  podmanNetwork,
  networkUnitName,
  ports,
  prepareScript,
  runArguments,
  stopLine,
  unitName,
  digest,
  type Container,
} from "./render.ts";

export { readImageArchive } from "./image-archive.ts";

/**
 * The podman settings a host inside systemd-nspawn needs (Roost's test hosts): no session keyring and
 * no cgroups (nspawn's seccomp filter and read-only cgroup v1 tree refuse them), and the vfs storage
 * driver (overlay cannot stack on the host's overlayfs without /dev/fuse). Real hosts need none of it.
 */
export const nspawnHostProfile = {
  virtualisation: {
    containers: {
      containersConf: { settings: { containers: { keyring: false, cgroups: "disabled" } } },
      storage: { settings: { storage: { driver: "vfs", runroot: "/run/containers/storage", graphroot: "/var/lib/containers/storage" } } },
    },
  },
} as const;

const json = formats.json();
const confPath = "/etc/containers/containers.conf";
const storagePath = "/etc/containers/storage.conf";

export const containers = defineModule({
  name: "containers",
  options: containersOptions,
  config: ({ config }) => {
    const oci = config.virtualisation["oci-containers"];
    const backend = oci.backend;
    const names = Object.keys(oci.containers).sort();
    const conf = config.virtualisation.containers;
    // Debian's podman would pick CNI when its packaged CNI config is present; the networks here are netavark's.
    const confSettings = conf.containersConf.settings as Record<string, any>;
    const confText = toml.generate({ ...confSettings, network: { network_backend: "netavark", ...confSettings.network } });
    const storageText = Object.keys(conf.storage.settings).length ? toml.generate(conf.storage.settings) : null;
    const cgroupsFromConf = (conf.containersConf.settings.containers as Record<string, unknown> | undefined)?.cgroups !== undefined;
    // Each archive is read once per evaluation: its id, or why it cannot be read.
    const archives = new Map<string, ImageArchive | string | null>();
    const archive = (name: string) => {
      if (!archives.has(name)) {
        const file = oci.containers[name]!.imageFile;
        archives.set(name, file === null ? null : readImageArchive(file));
      }
      return archives.get(name)!;
    };
    const imageId = (name: string) => {
      const a = archive(name);
      return a === null || typeof a === "string" ? null : a.id;
    };
    const secretVariables = (c: Container) => c.environmentFiles.flatMap((s) => Object.keys(config.secrets[s]?.environment ?? {}).sort());
    const secretPath = (s: string) => config.secrets[s]?.path ?? `/run/roost/secrets/${s}`;

    const unit = (name: string) => {
      const c = oci.containers[name]!;
      const own = `${unitName(backend, name)}.service`;
      const needs = [
        ...(backend === "docker" ? ["docker.service", ...c.networks.map((n) => `${networkUnitName(backend, n)}.service`)] : []),
        ...c.dependsOn.map((d) => `${unitName(backend, d)}.service`),
      ];
      const prepare = prepareScript(name, c, backend, imageId(name));
      const dockerCleanup = backend === "docker" ? `${binary("docker")} rm -f ${name} >/dev/null 2>&1 || true\n` : "";
      return {
        description: `Container ${name}`,
        wantedBy: c.autoStart ? ["multi-user.target"] : [],
        wants: ["network-online.target"],
        after: ["network-online.target", ...needs, ...c.after],
        requires: [...needs, ...c.requires],
        secrets: c.environmentFiles,
        environment: (backend === "podman" ? { PODMAN_SYSTEMD_UNIT: own } : {}) as Record<string, string>,
        preStart: prepare === null && dockerCleanup === "" ? null : `${dockerCleanup}${prepare ?? ""}`,
        serviceConfig: {
          Type: backend === "podman" ? ("notify" as const) : ("simple" as const),
          ExecStart: [execLine(runArguments(name, c, { backend, secretVariables: secretVariables(c), cgroupsFromConf }))],
          ExecStop: [stopLine(backend, name)],
          EnvironmentFile: c.environmentFiles.map(secretPath),
          Restart: c.restart,
          TimeoutStopSec: 70,
          SyslogIdentifier: name,
          // 143: the container's main process ended by the stop's SIGTERM, which is a clean stop.
          extraConfig: { SuccessExitStatus: "143", ...(backend === "podman" ? { NotifyAccess: "all" } : {}) } as Record<string, string>,
        },
        // What changes the container without changing its command line.
        restartTriggers: [
          imageId(name),
          confText,
          storageText,
          ...c.networks.map((n) => (oci.networks[n] ? digest(podmanNetwork(n, oci.networks[n]!)) : null)),
        ],
      };
    };

    return mkIf(names.length > 0 || Object.keys(oci.networks).length > 0, {
      packages: backend === "podman" ? ["podman", "netavark", "aardvark-dns", "iptables", "catatonit"] : ["docker.io"],
      files: {
        ...(backend === "podman" ? { [confPath]: { text: confText } } : {}),
        ...(backend === "podman" && storageText !== null ? { [storagePath]: { text: storageText } } : {}),
        ...Object.fromEntries(
          Object.entries(backend === "podman" ? oci.networks : {}).map(([n, net]) => [
            `/etc/containers/networks/${n}.json`,
            { text: json.generate(podmanNetwork(n, net) as never) },
          ]),
        ),
        ...Object.fromEntries(
          names
            .filter((n) => oci.containers[n]!.imageFile !== null)
            .map((n) => [imagePath(n), { source: oci.containers[n]!.imageFile!, mode: "0600" }]),
        ),
      },
      systemd: {
        services: {
          ...Object.fromEntries(names.map((n) => [unitName(backend, n), unit(n)])),
          ...Object.fromEntries(
            Object.entries(backend === "docker" ? oci.networks : {}).map(([n, net]) => [
              networkUnitName(backend, n),
              {
                description: `Container network ${n}`,
                wantedBy: ["multi-user.target"],
                after: ["docker.service"],
                requires: ["docker.service"],
                script: dockerNetworkScript(n, net),
                serviceConfig: { Type: "oneshot" as const, RemainAfterExit: true },
              },
            ]),
          ),
        },
      },
      networking: {
        ports: Object.fromEntries(
          names.flatMap((n) =>
            ports(oci.containers[n]!).map((p, i) => [
              `container ${n} port ${i + 1}`,
              {
                port: p.hostPort,
                protocol: p.protocol,
                address: p.hostAddress,
                option: ["virtualisation", "oci-containers", "containers", n, "ports"],
              },
            ]),
          ),
        ),
        // The network's DNS server (aardvark-dns) listens on the bridge: the containers ask it for each other's names.
        firewall: {
          interfaces: Object.fromEntries(
            Object.entries(oci.networks)
              .filter(([, net]) => net.dns)
              .map(([n, net]) => [interfaceName(n, net), { allowedTCPPorts: [53], allowedUDPPorts: [53] }]),
          ),
        },
      },
      // A container that does not start at boot (a job a timer starts) is not expected to run after a deploy.
      healthChecks: Object.fromEntries(
        names
          .filter((n) => oci.containers[n]!.autoStart)
          .map((n) => {
            const c = oci.containers[n]!;
            const command =
              c.healthCommand === null
                ? null
                : backend === "podman"
                  ? ["/usr/bin/podman", "healthcheck", "run", n]
                  : ["/usr/bin/docker", "exec", n, ...c.healthCommand];
            return [
              unitName(backend, n),
              command === null
                ? { type: "unit" as const, unit: `${unitName(backend, n)}.service`, timeout: c.healthTimeout }
                : { type: "command" as const, command, timeout: c.healthTimeout },
            ];
          }),
      ),
      get assertions() {
        return containerChecks(config.virtualisation, config.secrets, archive);
      },
    });
  },
});

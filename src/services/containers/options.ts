// The options of virtualisation.oci-containers and virtualisation.containers, named as in NixOS: a
// reader of a NixOS configuration finds the same containers.<name>.image, ports, volumes and
// extraOptions here, with typed ports and volumes beside NixOS's strings.
import { formats, option, types as t } from "roost";
import { imageReference } from "./image-ref.ts";

export const toml = formats.toml();

const containerName = t.strMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, "container name (letters, digits, _ . -)");
const networkName = t.strMatching(/^[a-z0-9][a-z0-9_-]{0,62}$/, "network name (lower case, digits, _ -)");
const word = t.strSatisfying("argument", (v) => (v === "" ? "an empty argument cannot be passed" : null));
const ipv4 = t.strMatching(/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/, "IPv4 address");

/** "8080:80", "127.0.0.1:8080:80", "8080:80/udp": host address (default 127.0.0.1), host port, container port. */
export const portString = /^(?:([0-9]{1,3}(?:\.[0-9]{1,3}){3}):)?([0-9]{1,5}):([0-9]{1,5})(?:\/(tcp|udp))?$/;

export const portSubmodule = t.submodule({
  options: {
    hostPort: option({ type: t.port, description: "The port on the host." }),
    containerPort: option({ type: t.port, description: "The port inside the container." }),
    protocol: option({ type: t.enumOf(["tcp", "udp"]), default: "tcp", description: "tcp or udp." }),
    hostAddress: option({
      type: ipv4,
      default: "127.0.0.1",
      description:
        "The host address it is published on. 127.0.0.1 keeps it local (a proxy on the host forwards to it); any other address is reachable from outside whatever networking.firewall says, since the container runtime forwards it before the input filter.",
    }),
  },
});

const port = t.either(t.strMatching(portString, 'port mapping such as "127.0.0.1:8080:80" or "8080:80/udp"'), portSubmodule);

/** "/srv/data:/data", "/etc/app.conf:/etc/app.conf:ro", "cache:/var/cache/app" (a named volume). */
export const volumeString = /^([^:\s]+):(\/[^:\s]*)(?::(ro|rw))?$/;

const volumeSource = t.strSatisfying("absolute path or volume name", (v) =>
  v.startsWith("/") ? t.pathProblem(v) : /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(v) ? null : "a volume name is letters, digits, _ . -",
);

export const volumeSubmodule = t.submodule({
  options: {
    source: option({ type: volumeSource, description: "A host path (absolute) or the name of a volume the runtime keeps." }),
    target: option({ type: t.path, description: "Where it appears inside the container." }),
    readOnly: option({ type: t.bool, default: false, description: "Mount it read-only." }),
    owner: option({
      type: t.nullOr(t.strMatching(/^[0-9]+:[0-9]+$/, 'numeric owner "uid:gid" (as the container sees it, e.g. "999:999")')),
      default: null,
      description:
        "For a host path: create it as a data directory owned by this uid:gid before each start. Numbers, because the container's users are not the host's.",
      example: "999:999",
    }),
    mode: option({
      type: t.strMatching(/^[0-7]{4}$/, 'mode such as "0750"'),
      default: "0750",
      description: "With owner: the directory's mode.",
    }),
  },
});

const volume = t.either(t.strMatching(volumeString, 'volume such as "/srv/data:/data" or "/etc/x:/etc/x:ro"'), volumeSubmodule);

const container = t.submodule({
  options: {
    image: option({
      type: imageReference,
      description:
        "The image, pinned by tag or digest and with its registry (podman resolves no short names): a missing tag or latest is an error unless allowUnpinned.",
      example: "docker.io/library/nginx:1.25.4",
    }),
    allowUnpinned: option({ type: t.bool, default: false, description: "Accept an image without a tag, or tagged latest." }),
    imageFile: option({
      type: t.nullOr(t.path),
      default: null,
      description:
        "An image archive on the controller (`podman save` / `docker save`: docker-archive or oci-archive, uncompressed) shipped with the generation and loaded on the host when it does not have that image id; no registry involved.",
    }),
    cmd: option({
      type: t.listOf(word),
      default: [],
      description: "Arguments after the image (the command, or the entrypoint's arguments).",
    }),
    entrypoint: option({ type: t.nullOr(t.str), default: null, description: "Override the image's entrypoint." }),
    environment: option({
      type: t.attrsOf(t.str, t.strMatching(/^[A-Za-z_][A-Za-z0-9_]*$/, "environment variable name")),
      default: {},
      description: "Environment variables (never secrets: those go in environmentFiles).",
      example: { TZ: "Europe/Berlin" },
    }),
    environmentFiles: option({
      type: t.listOf(t.strMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "secrets output name")),
      default: [],
      description:
        "Names of secrets.<name> outputs written with `environment`: their variables reach the container, which restarts when one changes.",
      example: ["pretix-env"],
    }),
    ports: option({
      type: t.listOf(port),
      default: [],
      description: "Published ports, each declared in networking.ports. A string without an address binds 127.0.0.1 too.",
      example: ["127.0.0.1:8080:80", { hostPort: 5353, containerPort: 53, protocol: "udp" }],
    }),
    volumes: option({
      type: t.listOf(volume),
      default: [],
      description: "Bind mounts and named volumes.",
      example: [{ source: "/srv/db", target: "/var/lib/mysql", owner: "999:999" }, "/etc/app.ini:/etc/app.ini:ro"],
    }),
    user: option({
      type: t.nullOr(t.strMatching(/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/, "user[:group]")),
      default: null,
      description: "Run as this user inside the container.",
    }),
    workdir: option({ type: t.nullOr(t.path), default: null, description: "The working directory inside the container." }),
    labels: option({ type: t.attrsOf(t.str), default: {}, description: "Labels on the container." }),
    networks: option({
      type: t.listOf(networkName),
      default: [],
      description:
        "Networks declared in virtualisation.oci-containers.networks it joins (none: the runtime's default network). Containers on one network reach each other by container name.",
    }),
    dependsOn: option({
      type: t.listOf(containerName),
      default: [],
      description: "Containers that must run first; this one stops, and restarts, with each of them (systemd Requires=).",
    }),
    after: option({ type: t.listOf(t.str), default: [], description: "Native units it starts after, e.g. postgresql.service." }),
    requires: option({
      type: t.listOf(t.str),
      default: [],
      description: "Native units it needs: started with it, and it stops when they stop.",
    }),
    healthCommand: option({
      type: t.nullOr(t.listOf(word)),
      default: null,
      description:
        "A command run inside the container (exec form) that exits 0 when it is healthy: the runtime runs it every healthInterval, and a deploy whose container fails it is rolled back.",
      example: ["/bin/wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"],
    }),
    healthInterval: option({ type: t.duration, default: 30, description: "How often the runtime runs healthCommand." }),
    healthTimeout: option({
      type: t.duration,
      default: 30,
      description: "How long healthCommand may keep failing after a deploy before the host is rolled back.",
    }),
    pullPolicy: option({
      type: t.enumOf(["missing", "always", "never"]),
      default: "missing",
      description:
        "When the runtime pulls the image: missing (only when absent), always, or never (it must be loaded or built on the host).",
    }),
    restart: option({
      type: t.enumOf(["no", "on-success", "on-failure", "on-abnormal", "on-abort", "always"]),
      default: "always",
      description: "systemd's Restart= for the container's unit.",
    }),
    memory: option({ type: t.nullOr(t.bytes), default: null, description: "Memory limit (needs cgroups).", example: "512M" }),
    cpus: option({
      type: t.nullOr(t.strMatching(/^[0-9]+(\.[0-9]+)?$/, 'number of CPUs such as "1.5"')),
      default: null,
      description: "CPU limit (needs cgroups).",
    }),
    autoStart: option({
      type: t.bool,
      default: true,
      description:
        "Start the container at boot, and check after each deploy that it runs (false: only when something starts it, e.g. systemd.services.podman-<name>.startAt for a job).",
    }),
    extraOptions: option({
      type: t.listOf(word),
      default: [],
      description: "More options to podman run / docker run, one per item.",
      example: ["--init", "--cap-add=NET_ADMIN"],
    }),
  },
});

const network = t.submodule({
  options: {
    subnet: option({
      type: t.nullOr(t.strMatching(/^[0-9]{1,3}(\.[0-9]{1,3}){2}\.0\/24$/, "IPv4 /24 network such as 10.90.0.0/24")),
      default: null,
      description: "Its subnet (null: one of 10.89.10.0/24 to 10.89.209.0/24, picked from the network's name).",
    }),
    internal: option({ type: t.bool, default: false, description: "No route out: the containers on it reach each other only." }),
    dns: option({ type: t.bool, default: true, description: "Containers on it resolve each other's names (aardvark-dns on the bridge)." }),
    interfaceName: option({
      type: t.nullOr(t.strMatching(/^[a-zA-Z0-9_.-]{1,15}$/, "interface name (at most 15 characters)")),
      default: null,
      description: "The bridge's name on the host (null: ctr- and the network's name, which must then fit in 15 characters).",
    }),
  },
});

export const containersOptions = {
  virtualisation: {
    "oci-containers": {
      backend: option({
        type: t.enumOf(["podman", "docker"]),
        default: "podman",
        description: "The container runtime (Debian 12's podman 4.3, or docker.io).",
      }),
      containers: option({
        type: t.attrsOf(container, containerName),
        default: {},
        description: "OCI containers, each run by its own systemd unit <backend>-<name>.service.",
        example: { web: { image: "docker.io/library/nginx:1.25.4", ports: ["127.0.0.1:8080:80"] } },
      }),
      networks: option({
        type: t.attrsOf(network, networkName),
        default: {},
        description:
          "User-defined networks, each created by <backend>-network-<name>.service; containers on one resolve each other by name (aardvark-dns).",
      }),
    },
    containers: {
      containersConf: {
        settings: option({
          type: toml.type,
          default: {},
          description: "/etc/containers/containers.conf (podman), in its own TOML keys; empty: the package's defaults.",
          example: { containers: { keyring: false, cgroups: "disabled" } },
        }),
      },
      storage: {
        settings: option({
          type: toml.type,
          default: {},
          description: "/etc/containers/storage.conf (podman), which replaces the packaged one whole; empty: the package's defaults.",
          example: { storage: { driver: "overlay", runroot: "/run/containers/storage", graphroot: "/var/lib/containers/storage" } },
        }),
      },
    },
  },
};

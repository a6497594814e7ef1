// Backups of virtualisation.oci-containers: a container with `backup.enable` becomes a
// services.backup.sources entry: its writable host-path and named volumes, and the databases it
// serves, dumped inside the container (`podman exec` / `docker exec`).
import { defineModule, option, types as t } from "roost";
import { containers } from "roost/services/containers";
import { backup } from "./backup.ts";
import { backupName, databaseTypes } from "./options.ts";

const containerDatabase = t.submodule({
  options: {
    type: option({ type: t.enumOf([...databaseTypes]), description: "Which kind of database the container serves." }),
    name: option({
      type: t.nullOr(t.strMatching(/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/, "database name (letters, digits, _ $ -)")),
      default: null,
      description: "postgresql, mysql: the database; sqlite: a label.",
    }),
    path: option({ type: t.nullOr(t.path), default: null, description: "sqlite: the database file, as the container sees it." }),
  },
});

const containerBackup = t.submodule({
  options: {
    backup: {
      enable: option({ type: t.bool, default: false, description: "Back up this container's writable volumes and its databases." }),
      databases: option({
        type: t.listOf(containerDatabase),
        default: [],
        description: "Databases the container serves, dumped inside it.",
        example: [{ type: "postgresql", name: "app" }],
      }),
      exclude: option({ type: t.listOf(t.str), default: [], description: "restic exclude patterns within its volumes." }),
      job: option({
        type: t.nullOr(backupName),
        default: null,
        description: "The backup job it goes into; null: a job named after the container.",
      }),
    },
  },
});

/** The directory a runtime keeps a named volume's data in. */
const volumeData = (backend: string, name: string) =>
  backend === "docker" ? `/var/lib/docker/volumes/${name}/_data` : `/var/lib/containers/storage/volumes/${name}/_data`;

/** A volume written "source:target[:options]" or as a submodule: its source and whether it is read-only. */
function volumeOf(v: string | { source: string; readOnly: boolean }) {
  if (typeof v !== "string") return v;
  const [source, , options] = v.split(":");
  return { source: source!, readOnly: (options ?? "").split(",").includes("ro") };
}

/** A container's name as a backup source name. */
export const sourceName = (container: string) =>
  container
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "-")
    .slice(0, 48);

export const backupContainers = defineModule({
  name: "backup-containers",
  imports: [backup, containers],
  options: {
    virtualisation: {
      "oci-containers": {
        // The key type as the containers module declares it: two declarations merge when their keys agree.
        containers: option({
          type: t.attrsOf(containerBackup, t.strMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, "container name (letters, digits, _ . -)")),
          description: "OCI containers, with their backups.",
        }),
      },
    },
  },
  config: ({ config }) => ({
    services: {
      backup: {
        get sources() {
          const oci = config.virtualisation["oci-containers"];
          return Object.fromEntries(
            Object.entries(oci.containers)
              .filter(([, c]) => c.backup.enable)
              .map(([name, c]) => [
                sourceName(name),
                {
                  paths: c.volumes
                    .map(volumeOf)
                    .filter((v) => !v.readOnly)
                    .map((v) => (v.source.startsWith("/") ? v.source : volumeData(oci.backend, v.source))),
                  exclude: c.backup.exclude,
                  databases: c.backup.databases.map((d) => ({ ...d, container: name })),
                  job: c.backup.job,
                },
              ]),
          );
        },
      },
    },
  }),
});

// The services.backup module itself; see index.ts.
import { defineModule, enableOption, mkMerge, option, packageOption, types as t } from "roost";
import { alertRules } from "roost/services/monitoring";
import { nodeExporter } from "roost/services/node-exporter";
import { backupAlerts } from "./alerts.ts";
import { renderClient, type ClientParts } from "./client.ts";
import { backupName, job, repository, source } from "./options.ts";
import { sftpAccounts, sftpClientsOf } from "./target.ts";

export const backup = defineModule({
  name: "backup",
  imports: [nodeExporter, alertRules],
  options: {
    services: {
      backup: {
        enable: enableOption("restic backups"),
        package: packageOption("restic"),
        repositories: option({
          type: t.attrsOf(repository, backupName),
          default: {},
          description: "restic repositories, by name.",
          example: { vault: { sftp: { host: "vault" }, passwordSecret: { secret: "backup_password" } } },
        }),
        defaultRepository: option({
          type: t.nullOr(backupName),
          default: null,
          description: "The repository of jobs that name none.",
          defaultText: "the only repository, when there is one",
        }),
        jobs: option({
          type: t.attrsOf(job, backupName),
          default: {},
          description: "What to back up, when and where: each job is roost-backup-<name>.service and its timer.",
          example: { shop: { paths: ["/var/lib/shop"], databases: [{ type: "postgresql", name: "shop" }], schedule: "*-*-* 02:30:00" } },
        }),
        sources: option({
          type: t.attrsOf(source, backupName),
          default: {},
          description:
            "What other modules ask to back up (paths, excludes, databases), by name; each goes into the job it names, by default a job of its own name.",
          example: { wiki: { paths: ["/var/lib/wiki"], databases: [{ type: "sqlite", path: "/var/lib/wiki/wiki.db" }] } },
        }),
        metricsDirectory: option({
          type: t.nullOr(t.path),
          default: null,
          description: "Where each run writes restic-<job>.prom for node_exporter's textfile collector.",
          defaultText: "services.nodeExporter.textfileDirectory",
        }),
      },
    },
  },
  config: ({ config, name: hostName, nodes }) => {
    const cfg = config.services.backup;
    // Everything is computed on first read (getters): a job reads other hosts (an sftp target's
    // address and key), and those hosts read this one's repositories for their accounts.
    let rendered: ClientParts | undefined;
    const client = () =>
      (rendered ??= renderClient(
        hostName,
        cfg,
        // Through nodes, options of modules this host does not import read as undefined.
        nodes[hostName]!.config.services ?? {},
        config.deployment.hostKey,
        nodes,
        cfg.metricsDirectory ?? config.services.nodeExporter.textfileDirectory,
        nodes[hostName]!.config.virtualisation?.["oci-containers"]?.backend ?? "podman",
      ));
    return mkMerge([
      cfg.enable
        ? {
            services: {
              backup: {
                // A source that names no job gets a job of its own name, with the defaults.
                get jobs() {
                  return Object.fromEntries(
                    Object.entries(cfg.sources)
                      .filter(([, s]) => s.job === null)
                      .map(([n]) => [n, {}]),
                  );
                },
              },
            },
            get packages() {
              return client().packages;
            },
            get files() {
              return client().files;
            },
            get secrets() {
              return client().secrets;
            },
            get directories() {
              const dir = cfg.metricsDirectory ?? config.services.nodeExporter.textfileDirectory;
              return config.services.nodeExporter.enable ? {} : { [dir]: { mode: "0755" } };
            },
            systemd: {
              get services() {
                return client().services;
              },
              get timers() {
                return client().timers;
              },
            },
            get assertions() {
              return client()
                .problems()
                .map((p) => ({ assertion: false, ...p }));
            },
            monitoring: { alertRules: { backup: backupAlerts } },
          }
        : {},
      {
        // The accounts of the hosts that back up to this one.
        users: {
          get users() {
            return sftpAccounts(sftpClientsOf(hostName, nodes)).users;
          },
        },
        get directories() {
          return sftpAccounts(sftpClientsOf(hostName, nodes)).directories;
        },
      },
    ]);
  },
});

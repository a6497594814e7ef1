import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host, secret } from "roost";
import { buildHostFrom } from "roost/testing";
import { backupContainers } from "./index.ts";

function build(backend: "podman" | "docker") {
  const fleet = defineFleet({
    hosts: {
      a: host({
        address: "root@10.0.0.1",
        modules: [backupContainers],
        config: {
          virtualisation: {
            "oci-containers": {
              backend,
              containers: {
                Pretix_DB: {
                  image: "docker.io/library/postgres:15.6",
                  volumes: ["/srv/pretix/pg:/var/lib/postgresql/data", "/etc/pretix/init.sql:/docker-entrypoint-initdb.d/init.sql:ro"],
                  backup: { enable: true, databases: [{ type: "postgresql", name: "pretix" }] },
                },
                media: {
                  image: "docker.io/library/nginx:1.25.4",
                  volumes: [{ source: "media", target: "/usr/share/nginx/html" }],
                  backup: { enable: true, job: "pretix_db" },
                },
                cache: { image: "docker.io/library/redis:7.2.4" },
              },
            },
          },
          services: {
            backup: { enable: true, repositories: { local: { url: "/srv/restic", passwordSecret: secret("backup_password") } } },
          },
        } as never,
      }),
    },
  });
  return buildHostFrom(fleet, "a");
}

describe("virtualisation.oci-containers.containers.<name>.backup", () => {
  it("backs up a container's writable volumes and dumps its databases inside it; containers that do not ask are left out", () => {
    const built = build("podman");
    assert.deepEqual(Object.keys(built.config.services.backup.sources).sort(), ["media", "pretix_db"]);
    const job = JSON.parse(built.file("/etc/roost/backup/jobs/pretix_db.json"));
    assert.deepEqual([...job.paths].sort(), ["/srv/pretix/pg", "/var/lib/containers/storage/volumes/media/_data"]);
    assert.ok(!built.paths.includes("/etc/roost/backup/jobs/media.json"), "media went into the job it named");
    assert.deepEqual(
      {
        type: job.databases[0].type,
        name: job.databases[0].name,
        container: job.databases[0].container,
        runtime: job.databases[0].runtime,
      },
      { type: "postgresql", name: "pretix", container: "Pretix_DB", runtime: "podman" },
    );
    assert.ok(!built.manifest.packages.includes("postgresql-client"), "the dump runs inside the container");
  });

  it("uses docker's volume directory and docker exec with the docker backend", () => {
    const built = build("docker");
    const job = JSON.parse(built.file("/etc/roost/backup/jobs/pretix_db.json"));
    assert.deepEqual([...job.paths].sort(), ["/srv/pretix/pg", "/var/lib/docker/volumes/media/_data"]);
    assert.equal(job.databases[0].runtime, "docker");
  });
});

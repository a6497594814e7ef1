import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { defineFleet, host, secret } from "roost";
import { acme } from "roost/services/acme";
import { monitoring, rulesFile, rulesTestFile } from "roost/services/monitoring";
import { postgresql } from "roost/services/postgresql";
import { redis } from "roost/services/redis";
import { sqlite } from "roost/services/sqlite";
import { buildHostFrom } from "roost/testing";
import { backup, runnerPath } from "./index.ts";

const appKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAppHostKeyForTheBackupTest0000000000 root@app";
const vaultKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIVaultHostKeyForTheBackupTest00000000";

type BackupConfig = Parameters<typeof host>[0]["config"];

function fleetWith(config: BackupConfig, vault: BackupConfig = {}) {
  return defineFleet({
    modules: [backup],
    hosts: {
      app: host({ address: "root@10.0.0.1", hostKey: appKey, modules: [backup], config }),
      vault: host({ address: "root@10.0.0.2", hostKey: vaultKey, modules: [backup], config: vault }),
    },
  });
}

const password = secret("backup_password");
const sftpRepo = { vault: { sftp: { host: "vault" }, passwordSecret: password } };
const jobFile = (built: ReturnType<typeof buildHostFrom>, job: string) => JSON.parse(built.file(`/etc/roost/backup/jobs/${job}.json`));

describe("services.backup", () => {
  it("adds nothing to a host until it is enabled, and no account to a host nobody backs up to", () => {
    const built = buildHostFrom(fleetWith({}), "app");
    assert.ok(!built.paths.includes(runnerPath));
    assert.ok(!built.manifest.packages.includes("restic"));
    assert.deepEqual(built.config.monitoring.alertRules, {});
    assert.deepEqual(Object.keys(buildHostFrom(fleetWith({}), "vault").config.users.users), []);
  });

  it("runs each job from its own oneshot unit and timer, with the password only as a file under /run", () => {
    const built = buildHostFrom(
      fleetWith({
        services: {
          backup: {
            enable: true,
            repositories: sftpRepo,
            jobs: {
              shop: {
                paths: ["/var/lib/shop"],
                exclude: ["*.tmp"],
                databases: [{ type: "postgresql", name: "shop" }],
                schedule: "*-*-* 02:30:00",
              },
            },
          },
        },
      }),
      "app",
    );
    for (const p of ["restic", "jq", "openssh-client", "postgresql-client"]) assert.ok(built.manifest.packages.includes(p), p);
    const unit = built.file("/etc/systemd/system/roost-backup-shop.service");
    assert.match(unit, /^Type=oneshot$/m);
    assert.match(unit, /^ExecStart=\/etc\/roost\/backup\/roost-backup run shop$/m);
    assert.match(unit, /^After=roost-secrets\.service$/m);
    assert.match(unit, /^After=network-online\.target$/m);
    assert.doesNotMatch(unit, /WantedBy/, "a deploy never starts a backup");
    const timer = built.file("/etc/systemd/system/roost-backup-shop.timer");
    assert.match(timer, /^OnCalendar=\*-\*-\* 02:30:00$/m);
    assert.match(timer, /^RandomizedDelaySec=3600$/m);
    assert.match(timer, /^Persistent=(true|yes)$/m);
    assert.match(timer, /^WantedBy=timers\.target$/m);
    assert.deepEqual(built.config.secrets["backup-vault-password"]!.secret, password);

    const job = jobFile(built, "shop");
    assert.equal(job.restic.environment.RESTIC_PASSWORD_FILE, "/run/roost/secrets/backup-vault-password");
    assert.equal(job.restic.environment.RESTIC_REPOSITORY, "sftp:backup-app@10.0.0.2:/srv/backup/app/vault");
    assert.deepEqual(job.paths, ["/var/lib/shop"]);
    assert.deepEqual(job.exclude, ["*.tmp"]);
    assert.deepEqual(job.forget, ["--keep-daily", "7", "--keep-weekly", "4", "--keep-monthly", "6"]);
    assert.equal(job.databases[0].file, "postgresql-shop.sql");
    assert.equal(job.metrics, "/var/lib/prometheus/node-exporter/restic-shop.prom");
    assert.equal(job.maxAge, 86400 + 3600 + 7200);
    // No value of a secret and no password variable anywhere in the generation.
    assert.doesNotMatch(built.paths.map((p) => (p.startsWith("/etc/") ? built.file(p) : "")).join("\n"), /RESTIC_PASSWORD=/);
  });

  it("reaches an sftp repository with its own SSH host key, pinning the target's; the target lets only that key speak sftp", () => {
    const fleet = fleetWith({ services: { backup: { enable: true, repositories: sftpRepo, jobs: { files: { paths: ["/srv/files"] } } } } });
    const app = buildHostFrom(fleet, "app");
    const sshCommand = jobFile(app, "files").restic.options;
    assert.deepEqual(sshCommand.slice(0, 1), ["-o"]);
    assert.match(
      sshCommand[1],
      /^sftp\.command=ssh -F \/dev\/null -i \/etc\/ssh\/ssh_host_ed25519_key -o IdentitiesOnly=yes -o UserKnownHostsFile=\/etc\/roost\/backup\/known_hosts -o StrictHostKeyChecking=yes .* -p 22 backup-app@10\.0\.0\.2 -s sftp$/,
    );
    assert.equal(app.file("/etc/roost/backup/known_hosts"), `10.0.0.2 ${vaultKey}\n`);

    const vault = buildHostFrom(fleet, "vault");
    const account = vault.config.users.users["backup-app"]!;
    assert.equal(account.home, "/srv/backup/app");
    assert.equal(account.shell, "/usr/sbin/nologin");
    assert.deepEqual(account.authorizedKeys, [
      `restrict,command="internal-sftp" ${appKey.split(" ").slice(0, 2).join(" ")} roost-backup@app`,
    ]);
    assert.equal(vault.file("/srv/backup/app/.ssh/authorized_keys"), `${account.authorizedKeys[0]}\n`);
    assert.deepEqual(vault.manifest.directories["/srv/backup/app/vault"], {
      ...vault.manifest.directories["/srv/backup/app/vault"],
      owner: "backup-app",
      mode: "0700",
    });
    assert.ok(!vault.manifest.packages.includes("restic"), "the target runs no restic");
  });

  it("names what is missing for an sftp repository: a host that is not in the fleet, a client without a pinned key", () => {
    const unknown = fleetWith({
      services: {
        backup: {
          enable: true,
          repositories: { x: { sftp: { host: "nowhere" }, passwordSecret: password } },
          jobs: { f: { paths: ["/srv"] } },
        },
      },
    });
    assert.throws(() => buildHostFrom(unknown, "app"), /services\.backup\.repositories\.x\.sftp: there is no host nowhere in the fleet/);
    const keyless = defineFleet({
      modules: [backup],
      hosts: {
        app: host({
          address: "root@10.0.0.1",
          modules: [backup],
          config: { services: { backup: { enable: true, repositories: sftpRepo, jobs: { f: { paths: ["/srv"] } } } } },
        }),
        vault: host({ address: "root@10.0.0.2", hostKey: vaultKey, modules: [backup] }),
      },
    });
    assert.throws(
      () => buildHostFrom(keyless, "app"),
      /this host has no deployment\.hostKey: vault lets it in by that key \(roost hosts keyscan app\)/,
    );
  });

  it("takes S3 keys and URLs with credentials from secrets, as files: no key is ever in an environment", () => {
    const built = buildHostFrom(
      fleetWith({
        services: {
          backup: {
            enable: true,
            repositories: {
              b2: {
                s3: {
                  endpoint: "https://s3.example.org",
                  bucket: "backups",
                  prefix: "app",
                  accessKeyIdSecret: secret("s3_id"),
                  secretAccessKeySecret: secret("s3_key"),
                },
                passwordSecret: password,
              },
              rest: { urlSecret: secret("rest_url"), passwordSecret: password },
            },
            jobs: { a: { repository: "b2", paths: ["/srv/a"] }, b: { repository: "rest", paths: ["/srv/b"] } },
          },
        },
      }),
      "app",
    );
    const a = jobFile(built, "a").restic.environment;
    assert.equal(a.RESTIC_REPOSITORY, "s3:https://s3.example.org/backups/app");
    assert.equal(a.AWS_SHARED_CREDENTIALS_FILE, "/run/roost/secrets/backup-b2-s3");
    assert.equal(
      built.config.secrets["backup-b2-s3"]!.template,
      "[default]\naws_access_key_id = {{secret:s3_id}}\naws_secret_access_key = {{secret:s3_key}}\n",
    );
    assert.deepEqual(Object.keys(a).sort(), [
      "AWS_SHARED_CREDENTIALS_FILE",
      "RESTIC_CACHE_DIR",
      "RESTIC_PASSWORD_FILE",
      "RESTIC_REPOSITORY",
    ]);
    const b = jobFile(built, "b").restic.environment;
    assert.equal(b.RESTIC_REPOSITORY_FILE, "/run/roost/secrets/backup-rest-url");
    assert.equal(b.RESTIC_REPOSITORY, undefined);
    assert.match(built.file("/etc/systemd/system/roost-backup-a.service"), /^After=roost-secrets\.service/m);
  });

  it("refuses a repository URL with a password in it, and a repository with two kinds", () => {
    const inUrl = fleetWith({
      services: {
        backup: {
          enable: true,
          repositories: { r: { url: "rest:https://u:pw@backup.example.org/", passwordSecret: password } },
          jobs: { f: { paths: ["/srv"] } },
        },
      },
    });
    assert.throws(() => buildHostFrom(inUrl, "app"), /it holds a password: put the whole URL in a secret and use urlSecret/);
    const both = fleetWith({
      services: {
        backup: {
          enable: true,
          repositories: { r: { url: "/srv/restic", sftp: { host: "vault" }, passwordSecret: password } },
          jobs: { f: { paths: ["/srv"] } },
        },
      },
    });
    assert.throws(() => buildHostFrom(both, "app"), /set exactly one of url, urlSecret, sftp and s3/);
  });

  it("collects sources into jobs: a job of the source's name by default, or the job it names", () => {
    const built = buildHostFrom(
      fleetWith({
        services: {
          backup: {
            enable: true,
            repositories: { local: { url: "/srv/restic", passwordSecret: password } },
            jobs: { nightly: { paths: ["/etc"], schedule: "*-*-* 03:00:00" } },
            sources: {
              wiki: { paths: ["/var/lib/wiki"], databases: [{ type: "sqlite", path: "/var/lib/wiki/wiki.db", owner: "wiki" }] },
              cache: { paths: ["/var/lib/cache"], exclude: ["/var/lib/cache/tmp"], job: "nightly" },
            },
          },
        },
      }),
      "app",
    );
    const wiki = jobFile(built, "wiki");
    assert.deepEqual(wiki.paths, ["/var/lib/wiki"]);
    assert.deepEqual(
      { label: wiki.databases[0].label, file: wiki.databases[0].file, owner: wiki.databases[0].owner },
      { label: "wiki", file: "sqlite-wiki.sql", owner: "wiki" },
    );
    assert.ok(built.manifest.packages.includes("sqlite3"));
    const nightly = jobFile(built, "nightly");
    assert.deepEqual(nightly.paths, ["/etc", "/var/lib/cache"]);
    assert.deepEqual(nightly.exclude, ["/var/lib/cache/tmp"]);
    assert.equal(wiki.restic.environment.RESTIC_REPOSITORY, "/srv/restic");
    assert.ok(built.paths.includes("/etc/systemd/system/roost-backup-wiki.timer"));
  });

  it("points at the option when a job has no repository to use, or a source names a job that does not exist", () => {
    const two = fleetWith({
      services: {
        backup: {
          enable: true,
          repositories: { a: { url: "/srv/a", passwordSecret: password }, b: { url: "/srv/b", passwordSecret: password } },
          jobs: { f: { paths: ["/srv/f"] } },
          sources: { s: { paths: ["/srv/s"], job: "missing" } },
        },
      },
    });
    assert.throws(
      () => buildHostFrom(two, "app"),
      (e: Error) => {
        assert.match(e.message, /services\.backup\.jobs\.f\.repository: none is named, and there is no single repository to default to/);
        assert.match(e.message, /services\.backup\.sources\.s\.job: there is no services\.backup\.jobs\.missing/);
        assert.match(e.message, /index\.test\.ts:\d+/);
        return true;
      },
    );
  });

  it("writes hooks as scripts and retention as forget flags, always with at least one keep rule", () => {
    const built = buildHostFrom(
      fleetWith({
        services: {
          backup: {
            enable: true,
            repositories: { local: { url: "/srv/restic", passwordSecret: password } },
            jobs: {
              f: {
                paths: ["/srv/f"],
                preHooks: ["systemctl stop shop.service"],
                postHooks: ["systemctl start shop.service"],
                retention: { keepLast: 3, keepDaily: null, keepWeekly: null, keepMonthly: null },
              },
            },
          },
        },
      }),
      "app",
    );
    const job = jobFile(built, "f");
    assert.deepEqual(job.forget, ["--keep-last", "3"]);
    assert.equal(built.file(job.preHook), "#!/bin/bash\nset -euo pipefail\nsystemctl stop shop.service\n");
    assert.equal(built.file(job.postHook), "#!/bin/bash\nset -euo pipefail\nsystemctl start shop.service\n");
    const none = fleetWith({
      services: {
        backup: {
          enable: true,
          repositories: { local: { url: "/srv/restic", passwordSecret: password } },
          jobs: { f: { paths: ["/srv/f"], retention: { keepDaily: null, keepWeekly: null, keepMonthly: null } } },
        },
      },
    });
    assert.throws(() => buildHostFrom(none, "app"), /services\.backup\.jobs\.f\.retention: it keeps nothing/);
  });

  it("checks each repository on its own schedule, and writes metrics where node_exporter reads them", () => {
    const built = buildHostFrom(
      fleetWith({
        services: {
          nodeExporter: { enable: true, textfileDirectory: "/var/lib/node-textfiles" },
          backup: {
            enable: true,
            repositories: { local: { url: "/srv/restic", passwordSecret: password, checkReadData: "5%" } },
            jobs: { f: { paths: ["/srv/f"] } },
          },
        },
      }),
      "app",
    );
    assert.match(
      built.file("/etc/systemd/system/roost-backup-check-local.service"),
      /^ExecStart=\/etc\/roost\/backup\/roost-backup check local$/m,
    );
    assert.match(built.file("/etc/systemd/system/roost-backup-check-local.timer"), /^OnCalendar=weekly$/m);
    const repo = JSON.parse(built.file("/etc/roost/backup/repositories/local.json"));
    assert.equal(repo.readData, "5%");
    assert.equal(repo.metrics, "/var/lib/node-textfiles/restic-check-local.prom");
    assert.equal(jobFile(built, "f").metrics, "/var/lib/node-textfiles/restic-f.prom");
  });

  it("dumps databases as their own modules run them: PostgreSQL's port, a redis server's socket, unit, RDB file and password file, a services.sqlite entry's file and owner", () => {
    const fleet = defineFleet({
      hosts: {
        app: host({
          address: "root@10.0.0.1",
          modules: [backup, postgresql, redis, sqlite],
          config: {
            services: {
              postgresql: { enable: true, port: 5433 },
              redis: { servers: { cache: { enable: true, requirePassSecret: secret("cache_password") } } },
              sqlite: { databases: { wiki: { owner: "wiki" } } },
              backup: {
                enable: true,
                repositories: { local: { url: "/srv/restic", passwordSecret: password } },
                jobs: {
                  dbs: {
                    databases: [
                      { type: "postgresql", name: "shop" },
                      { type: "redis", name: "cache" },
                      { type: "mysql", name: "wiki", container: "wiki-db" },
                      { type: "sqlite", name: "wiki" },
                    ],
                  },
                },
              },
            },
          },
        }),
      },
    });
    const built = buildHostFrom(fleet, "app");
    const [pg, cache, wiki, notes] = jobFile(built, "dbs").databases;
    assert.deepEqual(
      { path: notes.path, owner: notes.owner, file: notes.file },
      { path: "/var/lib/wiki/wiki.sqlite3", owner: "wiki", file: "sqlite-wiki.sql" },
    );
    assert.equal(pg.port, 5433);
    assert.deepEqual(
      { socket: cache.socket, unit: cache.unit, rdb: cache.rdb, passwordFile: cache.passwordFile, file: cache.file },
      {
        socket: "/run/redis-cache/redis.sock",
        unit: "redis-cache.service",
        rdb: "/var/lib/redis-cache/dump.rdb",
        passwordFile: "/run/roost/secrets/redis-cache-password",
        file: "redis-cache.rdb",
      },
    );
    assert.deepEqual({ container: wiki.container, runtime: wiki.runtime }, { container: "wiki-db", runtime: "podman" });
    for (const p of ["postgresql-client", "redis-tools", "podman"]) assert.ok(built.manifest.packages.includes(p), p);
    assert.ok(!built.manifest.packages.includes("mariadb-client"), "the MariaDB dump runs inside its container");
  });

  it("the runner is valid bash", () => {
    const built = buildHostFrom(
      fleetWith({
        services: {
          backup: {
            enable: true,
            repositories: { local: { url: "/srv/restic", passwordSecret: password } },
            jobs: { f: { paths: ["/srv/f"] } },
          },
        },
      }),
      "app",
    );
    execFileSync("bash", ["-n"], { input: built.file(runnerPath) });
  });

  it("contributes alert rules that the monitoring server evaluates, whose promtool tests pass", () => {
    const monitored = defineFleet({
      modules: [monitoring, backup],
      hosts: {
        mon: host({
          address: "root@10.0.0.5",
          modules: [monitoring, acme],
          config: {
            security: { acme: { acceptTerms: true, defaults: { email: "ops@example.org" } } },
            monitoring: {
              server: {
                enable: true,
                domain: "metrics.example.org",
                mail: { to: ["ops@example.org"], from: "alerts@example.org", smarthost: "smtp.example.org:587" },
              },
            },
          },
        }),
        app: host({
          address: "root@10.0.0.1",
          modules: [monitoring, backup],
          config: {
            services: {
              backup: {
                enable: true,
                repositories: { local: { url: "/srv/restic", passwordSecret: password } },
                jobs: { f: { paths: ["/srv/f"] } },
              },
            },
          },
        }),
      },
    });
    const app = buildHostFrom(monitored, "app");
    assert.deepEqual(Object.keys(app.config.monitoring.alertRules.backup).sort(), ["ResticBackupTooOld", "ResticCheckFailed"]);
    const mon = buildHostFrom(monitored, "mon");
    assert.match(mon.file(rulesFile), /- alert: ResticBackupTooOld\n/);
    const dir = mkdtempSync(path.join(tmpdir(), "backup-rules-"));
    try {
      writeFileSync(path.join(dir, path.basename(rulesFile)), mon.file(rulesFile));
      writeFileSync(path.join(dir, "tests.yml"), mon.file(rulesTestFile));
      const check = spawnSync("promtool", ["check", "rules", path.basename(rulesFile)], { cwd: dir, encoding: "utf8" });
      assert.equal(check.status, 0, check.stdout + check.stderr);
      const run = spawnSync("promtool", ["test", "rules", "tests.yml"], { cwd: dir, encoding: "utf8" });
      assert.equal(run.status, 0, run.stdout + run.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

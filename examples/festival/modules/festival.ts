// Seed 000's festival server (the Zugvögel ticketing repository) as one Roost module: every service
// a container behind nginx with an ACME certificate, pretix on the host's PostgreSQL and Redis, the
// shift planner's four containers on their own network, secrets from secrets.yaml, backups with
// restic. Each port is one option (festivalOptions) that the publish, the upstream and the
// firewall read.
import { defineModule, formats, mkIf, secret } from "roost";
import { acme } from "roost/services/acme";
import { backup, backupContainers } from "roost/services/backup";
import { containers } from "roost/services/containers";
import { nginx } from "roost/services/nginx";
import { postgresql, requirePostgresql } from "roost/services/postgresql";
import { redis } from "roost/services/redis";
import { festivalOptions } from "./options.ts";

const ini = formats.ini();
const nginxConf = formats.nginx();
const pretixConf = "/etc/festival/pretix.cfg";
const schwarmplanerNginxConf = "/etc/festival/schwarmplaner-nginx.conf";
const local = (port: number) => `http://127.0.0.1:${port}`;
/** A virtual host with HTTPS from ACME that forwards everything to a local port. */
const proxied = (port: number, extra: Record<string, unknown> = {}) => ({
  enableACME: true,
  forceSSL: true,
  locations: { "/": { proxyPass: local(port), proxyWebsockets: true } },
  ...extra,
});
/** Entries only when the service is enabled (typed as the option's record). */
const when = <V>(enabled: boolean, entries: Record<string, V>): Record<string, V> => (enabled ? entries : {});
/** The variables of an environment file, each from a secret. */
const secretEnv = (variables: Record<string, ReturnType<typeof secret>>) => variables;
const publish = (hostPort: number, containerPort: number) => ({ hostPort, containerPort });

export const festival = defineModule({
  name: "festival",
  imports: [containers, backupContainers, backup, nginx, acme, postgresql, redis],
  options: festivalOptions,
  config: ({ config }) => {
    const cfg = config.zugvoegel.services;
    const pretix = cfg.pretix;
    const sp = cfg.schwarmplaner;
    const vikunja = cfg.vikunja;
    const transcriber = cfg.audiotranscriber;
    const minio = cfg.minio;
    const bank = cfg.bankAutomation;
    const bankTimer: Record<string, { startAt: string[] }> = bank.enable ? { "podman-bank": { startAt: bank.schedule } } : {};
    const gateway = pretix.subnet.replace(/0\/24$/, "1");

    const pretixSettings = {
      pretix: {
        instance_name: pretix.domain,
        url: `https://${pretix.domain}`,
        currency: pretix.currency,
        datadir: "/data",
        trust_x_forwarded_for: "on",
        trust_x_forwarded_proto: "on",
      },
      // The password comes from the environment (PRETIX_DATABASE_PASSWORD), never from this file.
      database: { backend: "postgresql", name: "pretix", user: "pretix", host: gateway, port: config.services.postgresql.port },
      mail: { from: pretix.mailFrom, host: vikunja.smtp.host, port: vikunja.smtp.port, user: vikunja.smtp.user, tls: "on" },
      redis: { location: `redis://${gateway}:6379/0`, sessions: "true" },
      celery: { backend: `redis://${gateway}:6379/1`, broker: `redis://${gateway}:6379/2` },
    };

    // The planner's own nginx: the frontend at /, the API at /api/, both by container name.
    const schwarmplanerNginx = {
      events: {},
      http: {
        server: {
          listen: 80,
          client_max_body_size: "10m",
          location: [
            ["/api/", { proxy_pass: "http://schwarmplaner-api:3000/", proxy_set_header: [["Host", "$host"]] }],
            ["/", { proxy_pass: "http://schwarmplaner-frontend:8000", proxy_set_header: [["Host", "$host"]] }],
          ],
        },
      },
    };

    return {
      files: {
        ...when(pretix.enable, { [pretixConf]: { text: ini.generate(pretixSettings) } }),
        ...when(sp.enable, { [schwarmplanerNginxConf]: { text: nginxConf.generate(schwarmplanerNginx as never) } }),
      },

      secrets: {
        ...when(pretix.enable, {
          "pretix-env": {
            environment: secretEnv({
              PRETIX_DATABASE_PASSWORD: secret("pretix_db_password"),
              PRETIX_MAIL_PASSWORD: secret("smtp_password"),
            }),
          },
        }),
        ...when(sp.enable, {
          "schwarmplaner-db-env": {
            environment: secretEnv({
              MYSQL_ROOT_PASSWORD: secret("schwarmplaner_mysql_root_password"),
              MYSQL_PASSWORD: secret("schwarmplaner_mysql_password"),
            }),
          },
          "schwarmplaner-api-env": {
            environment: secretEnv({ DB_PASSWORD: secret("schwarmplaner_mysql_password"), JWT_SECRET: secret("schwarmplaner_jwt_secret") }),
          },
        }),
        ...when(vikunja.enable, {
          "vikunja-env": {
            environment: secretEnv({
              VIKUNJA_SERVICE_JWTSECRET: secret("vikunja_jwt_secret"),
              VIKUNJA_MAILER_PASSWORD: secret("smtp_password"),
            }),
          },
        }),
        ...when(minio.enable, { "minio-env": { environment: secretEnv({ MINIO_ROOT_PASSWORD: secret("minio_root_password") }) } }),
        ...when(bank.enable, {
          "bank-env": { environment: secretEnv({ PRETIX_API_TOKEN: secret("pretix_api_token"), BANK_PIN: secret("bank_pin") }) },
        }),
      },

      virtualisation: {
        "oci-containers": {
          networks: {
            ...when(pretix.enable, { pretix: { subnet: pretix.subnet } }),
            ...when(sp.enable, { schwarm: {} }),
          },
          // Checked by the options at evaluation (with file:line); TypeScript cannot follow the two
          // modules (containers, backupContainers) that declare this option together.
          containers: {
            ...when(pretix.enable, {
              pretix: {
                image: pretix.image,
                networks: ["pretix"],
                ports: [publish(pretix.port, 80)],
                volumes: [{ source: "/var/lib/pretix", target: "/data", owner: "15371:15371" }, `${pretixConf}:/etc/pretix/pretix.cfg:ro`],
                environmentFiles: ["pretix-env"],
                after: [...requirePostgresql().after, "redis-server.service"],
                requires: [...requirePostgresql().requires, "redis-server.service"],
              },
            }),
            ...when(sp.enable, {
              "schwarmplaner-db": {
                image: sp.mysqlImage,
                networks: ["schwarm"],
                ports: [publish(sp.mysqlPort, 3306)],
                environment: { MYSQL_DATABASE: "schwarmplaner", MYSQL_USER: "schwarmplaner" },
                environmentFiles: ["schwarmplaner-db-env"],
                volumes: [{ source: "/var/lib/schwarmplaner/mysql", target: "/var/lib/mysql", owner: "999:999" }],
                backup: { enable: true, databases: [{ type: "mysql" as const, name: "schwarmplaner" }] },
              },
              "schwarmplaner-api": {
                image: sp.apiImage,
                networks: ["schwarm"],
                ports: [publish(sp.apiPort, 3000)],
                environment: {
                  DB_HOST: "schwarmplaner-db",
                  DB_PORT: "3306",
                  DB_NAME: "schwarmplaner",
                  DB_USER: "schwarmplaner",
                  PUBLIC_URL: `https://${sp.apiDomain}`,
                },
                environmentFiles: ["schwarmplaner-api-env"],
                dependsOn: ["schwarmplaner-db"],
              },
              "schwarmplaner-frontend": {
                image: sp.frontendImage,
                networks: ["schwarm"],
                ports: [publish(sp.frontendPort, 8000)],
                environment: { API_URL: `https://${sp.apiDomain}` },
                dependsOn: ["schwarmplaner-api"],
              },
              "schwarmplaner-nginx": {
                image: sp.nginxImage,
                networks: ["schwarm"],
                ports: [publish(sp.nginxPort, 80)],
                volumes: [`${schwarmplanerNginxConf}:/etc/nginx/nginx.conf:ro`],
                dependsOn: ["schwarmplaner-frontend", "schwarmplaner-api"],
              },
            }),
            ...when(vikunja.enable, {
              vikunja: {
                image: vikunja.image,
                ports: [publish(vikunja.port, 3456)],
                environment: {
                  VIKUNJA_SERVICE_PUBLICURL: `https://${vikunja.domain}/`,
                  VIKUNJA_SERVICE_ENABLEREGISTRATION: String(vikunja.enableRegistration),
                  VIKUNJA_DATABASE_TYPE: "sqlite",
                  VIKUNJA_DATABASE_PATH: "/db/vikunja.db",
                  VIKUNJA_MAILER_ENABLED: "true",
                  VIKUNJA_MAILER_HOST: vikunja.smtp.host,
                  VIKUNJA_MAILER_PORT: String(vikunja.smtp.port),
                  VIKUNJA_MAILER_USERNAME: vikunja.smtp.user,
                  VIKUNJA_MAILER_FROMEMAIL: vikunja.smtp.fromAddress,
                },
                environmentFiles: ["vikunja-env"],
                volumes: [
                  { source: "/var/lib/vikunja/files", target: "/app/vikunja/files", owner: "1000:1000" },
                  { source: "/var/lib/vikunja/db", target: "/db", owner: "1000:1000" },
                ],
                backup: { enable: true, databases: [{ type: "sqlite" as const, path: "/db/vikunja.db" }] },
              },
            }),
            ...when(transcriber.enable, {
              audiotranscriber: {
                image: transcriber.image,
                ports: [publish(transcriber.port, 8000)],
                environment: { MAX_UPLOAD_SIZE: transcriber.maxUploadSize, DATA_DIR: "/app/data" },
                volumes: [{ source: transcriber.dataDir, target: "/app/data", owner: "1000:1000" }],
                backup: { enable: true },
              },
            }),
            ...when(minio.enable, {
              minio: {
                image: minio.image,
                cmd: ["server", "/data", "--console-address", ":9001"],
                ports: [publish(minio.port, 9000), publish(minio.consolePort, 9001)],
                environment: {
                  MINIO_ROOT_USER: "festival-admin",
                  MINIO_SERVER_URL: `https://${minio.domain}`,
                  MINIO_BROWSER_REDIRECT_URL: `https://${minio.consoleDomain}`,
                },
                environmentFiles: ["minio-env"],
                volumes: [{ source: minio.dataDir, target: "/data", owner: "1000:1000" }],
                user: "1000:1000",
                backup: { enable: true },
              },
            }),
            ...when(bank.enable, {
              bank: {
                image: bank.image,
                environment: { PRETIX_URL: `https://${pretix.domain}` },
                environmentFiles: ["bank-env"],
                volumes: [{ source: "/var/lib/bank-automation", target: "/state", owner: "1000:1000" }],
                autoStart: false,
                restart: "no" as const,
              },
            }),
          } as Record<string, never>,
        },
      },

      // The bank job: its container's unit, started by a timer four times a day.
      systemd: { services: bankTimer },

      services: {
        postgresql: mkIf(pretix.enable, {
          enable: true,
          // Every address, its port open to pretix's network only (allowedSources: firewall and pg_hba.conf).
          listenAddresses: ["0.0.0.0"],
          allowedSources: [pretix.subnet],
          ensureDatabases: ["pretix"],
          ensureUsers: [{ name: "pretix", ensureDBOwnership: true, passwordSecret: secret("pretix_db_password") }],
        }),
        redis: mkIf(pretix.enable, { servers: { "": { enable: true, bind: ["0.0.0.0"], allowedSources: [pretix.subnet] } } }),
        nginx: {
          enable: true,
          virtualHosts: {
            ...when(pretix.enable, { [pretix.domain]: proxied(pretix.port) }),
            ...when(sp.enable, { [sp.domain]: proxied(sp.nginxPort), [sp.apiDomain]: proxied(sp.apiPort) }),
            ...when(vikunja.enable, { [vikunja.domain]: proxied(vikunja.port, { clientMaxBodySize: "20M" }) }),
            ...when(transcriber.enable, {
              [transcriber.domain]: proxied(transcriber.port, { clientMaxBodySize: transcriber.maxUploadSize }),
            }),
            ...when(minio.enable, {
              [minio.domain]: proxied(minio.port, { clientMaxBodySize: "0" }),
              [minio.consoleDomain]: proxied(minio.consolePort),
            }),
          },
        },
        // pretix's database, dumped into the repository with its data directory.
        backup: {
          sources: when(pretix.enable, {
            pretix: { paths: ["/var/lib/pretix"], databases: [{ type: "postgresql" as const, name: "pretix" }] },
          }),
        },
      },
      networking: { firewall: { allowedTCPPorts: [80, 443] } },
    };
  },
});

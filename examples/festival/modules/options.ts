// The options of the festival server, named after the NixOS modules of the seed
// (zugvoegel.services.<name>): one option per port, which the container's publish, nginx's upstream
// and the firewall all read.
import { enableOption, option, types as t } from "roost";

const domain = (what: string, example: string) =>
  option({ type: t.str, description: `The public name of ${what} (nginx virtual host, ACME certificate).`, example });
const port = (what: string, value: number) =>
  option({ type: t.port, default: value, description: `The host port ${what} is published on (127.0.0.1 only; nginx forwards to it).` });
const image = (what: string, value: string) => option({ type: t.str, default: value, description: `The image of ${what}, pinned by tag.` });

export const festivalOptions = {
  zugvoegel: {
    services: {
      pretix: {
        enable: enableOption("pretix, the ticket shop (a container on PostgreSQL and Redis of the host)"),
        domain: domain("the ticket shop", "tickets.example.org"),
        port: port("pretix", 12345),
        image: image("pretix", "docker.io/manulinger/zv-ticketing:pretix-custom-cliques"),
        subnet: option({
          type: t.strMatching(/^[0-9]{1,3}(\.[0-9]{1,3}){2}\.0\/24$/, "IPv4 /24 network such as 10.90.1.0/24"),
          default: "10.90.1.0/24",
          description:
            "pretix's container network; its gateway (.1) is where the host's PostgreSQL and Redis answer it, their ports open to this network only.",
        }),
        currency: option({ type: t.str, default: "EUR", description: "The shop's currency." }),
        mailFrom: option({ type: t.str, description: "The sender of pretix's mails.", example: "tickets@example.org" }),
      },
      schwarmplaner: {
        enable: enableOption("the Schwarmplaner volunteer shift planner (frontend, API, its nginx and MySQL in containers)"),
        domain: domain("the shift planner", "schichten.example.org"),
        apiDomain: domain("the shift planner's API", "api.schichten.example.org"),
        nginxPort: port("the planner's nginx", 3301),
        mysqlPort: port("the planner's MySQL", 3302),
        frontendPort: port("the planner's frontend", 3303),
        apiPort: port("the planner's API", 3304),
        frontendImage: image("the planner's frontend", "ghcr.io/zugvoegel/schwarmplaner-frontend:1.4.2"),
        apiImage: image("the planner's API", "ghcr.io/zugvoegel/schwarmplaner-api:1.4.2"),
        nginxImage: image("the planner's nginx", "docker.io/library/nginx:1.27.2-alpine"),
        mysqlImage: image("the planner's MySQL", "docker.io/library/mysql:8.0.40"),
      },
      vikunja: {
        enable: enableOption("Vikunja, the task planner"),
        domain: domain("Vikunja", "aufgaben.example.org"),
        port: port("Vikunja", 3456),
        image: image("Vikunja", "docker.io/vikunja/vikunja:0.24.6"),
        enableRegistration: option({ type: t.bool, default: false, description: "Let visitors create accounts." }),
        smtp: {
          host: option({
            type: t.str,
            description: "The SMTP server Vikunja (and pretix) send mail through.",
            example: "smtp.example.org",
          }),
          port: option({ type: t.port, default: 587, description: "The SMTP server's port (STARTTLS)." }),
          user: option({
            type: t.str,
            description: "The SMTP login; its password is the secret smtp_password.",
            example: "festival@example.org",
          }),
          fromAddress: option({ type: t.str, description: "The sender of Vikunja's mails.", example: "aufgaben@example.org" }),
        },
      },
      audiotranscriber: {
        enable: enableOption("the audio transcriber (a PWA that turns recordings into text)"),
        domain: domain("the transcriber", "transkript.example.org"),
        port: port("the transcriber", 8001),
        image: image("the transcriber", "docker.io/manulinger/audiotranscriber-pwa:2.1.0"),
        maxUploadSize: option({
          type: t.str,
          default: "1024M",
          description: "The largest recording nginx accepts (client_max_body_size).",
        }),
        dataDir: option({ type: t.path, default: "/var/lib/audiotranscriber", description: "Its recordings and transcripts." }),
      },
      minio: {
        enable: enableOption("MinIO, S3-compatible object storage"),
        domain: domain("MinIO's S3 API", "s3.example.org"),
        consoleDomain: domain("MinIO's console", "s3-console.example.org"),
        port: port("MinIO's S3 API", 9000),
        consolePort: port("MinIO's console", 9001),
        image: image("MinIO", "docker.io/minio/minio:RELEASE.2024-10-13T13-34-11Z"),
        dataDir: option({ type: t.path, default: "/var/lib/minio", description: "MinIO's buckets." }),
      },
      bankAutomation: {
        enable: enableOption("the bank automation job (matches bank transfers to pretix orders)"),
        image: image("the bank job", "ghcr.io/zugvoegel/bank-automation:0.9.1"),
        schedule: option({
          type: t.listOf(t.str),
          default: ["*-*-* 06:00:00", "*-*-* 12:00:00", "*-*-* 18:00:00", "*-*-* 23:00:00"],
          description: "When the job runs (systemd calendar events): four times a day.",
        }),
      },
    },
  },
};

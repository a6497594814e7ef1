// Seed 000's festival server (pretix, Schwarmplaner, Vikunja, the audio transcriber, MinIO and the
// bank job) on one Debian 12 host: containers behind nginx with Let's Encrypt, secrets in
// secrets.yaml, nightly restic backups to Backblaze B2. See README.md.
import { defineFleet, host } from "roost";
import { acme } from "roost/services/acme";
import { backup } from "roost/services/backup";
import { festival } from "./modules/festival.ts";

const domain = "zugvoegel.example.org";

export default defineFleet({
  secrets: { admins: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICJu8M9rPq7HJyD69N2ZQO8oAn7bFTA7VOWxbuQRXC3j ops@laptop"] },
  hosts: {
    "pretix-server-01": host({
      address: "root@203.0.113.20",
      // `roost hosts keyscan pretix-server-01` prints it; secrets are encrypted to it.
      hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKFryiCklaIUIAzepEH+ZuxJDhuquRSVES80paZo5zPN",
      // The modules whose options this file sets (festival imports them too).
      modules: [festival, backup, acme],
      config: {
        zugvoegel: {
          services: {
            pretix: { enable: true, domain: `tickets.${domain}`, mailFrom: `tickets@${domain}` },
            schwarmplaner: { enable: true, domain: `schichten.${domain}`, apiDomain: `api.schichten.${domain}` },
            vikunja: {
              enable: true,
              domain: `aufgaben.${domain}`,
              smtp: { host: "smtp.example.org", user: `festival@${domain}`, fromAddress: `aufgaben@${domain}` },
            },
            audiotranscriber: { enable: true, domain: `transkript.${domain}` },
            minio: { enable: true, domain: `s3.${domain}`, consoleDomain: `s3-console.${domain}` },
            bankAutomation: { enable: true },
          },
        },
        services: {
          backup: {
            enable: true,
            repositories: {
              b2: {
                s3: {
                  endpoint: "https://s3.eu-central-003.backblazeb2.com",
                  bucket: "zugvoegel-backup",
                  accessKeyIdSecret: { secret: "backup_s3_key_id" },
                  secretAccessKeySecret: { secret: "backup_s3_secret_key" },
                },
                passwordSecret: { secret: "restic_password" },
              },
            },
          },
        },
        security: { acme: { acceptTerms: true, defaults: { email: `ops@${domain}` } } },
      },
    }),
  },
});

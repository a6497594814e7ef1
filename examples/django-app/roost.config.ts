// Request Tracker Utils (a Django app) on one Debian server: gunicorn behind nginx with a Let's
// Encrypt certificate, SQLite in its working directory, secrets encrypted in secrets.yaml, a
// nightly restic backup to S3 (the working directory and a consistent dump of the database), and a
// mail to the admins when it fails. See README.md for the day-to-day commands.
import { defineFleet, host } from "roost";
import { acme } from "roost/services/acme";
import { apps } from "roost/services/app";
import { backup, backupApps } from "roost/services/backup";
import { mail } from "roost/services/mail";
import { requestTrackerUtils } from "./modules/request-tracker-utils.ts";

export default defineFleet({
  secrets: { admins: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICJu8M9rPq7HJyD69N2ZQO8oAn7bFTA7VOWxbuQRXC3j ops@laptop"] },
  hosts: {
    rtutils: host({
      address: "root@203.0.113.10",
      // `roost hosts keyscan rtutils` prints it; secrets are encrypted to it.
      hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKUkhvmHopnHZHH7BcpzFg4bzWWYqyYKQJ1RsSTSoErJ",
      modules: [requestTrackerUtils, apps, mail, acme, backup, backupApps],
      config: {
        services: {
          requestTrackerUtils: {
            enable: true,
            host: "127.0.0.1",
            port: 8000,
            workers: 4,
            domain: "rtutils.example.org",
            allowedHosts: ["rtutils.example.org", "localhost"],
            workingDirectory: "/var/lib/request-tracker-utils",
            user: "rtutils",
            group: "rtutils",
            labelWidthMm: 100,
            labelHeightMm: 62,
            prefix: "W12-",
            padding: 4,
            rtUrl: "https://tickets.wc-12.com",
            apiEndpoint: "/REST/2.0",
          },
          // Every app on the host is backed up (services.apps.<name>.backup), by default daily,
          // keeping 7 daily, 4 weekly and 6 monthly snapshots.
          backup: {
            enable: true,
            repositories: {
              offsite: {
                s3: {
                  endpoint: "https://s3.amazonaws.com",
                  bucket: "your-backup-bucket",
                  accessKeyIdSecret: { secret: "backup_s3_key_id" },
                  secretAccessKeySecret: { secret: "backup_s3_secret_key" },
                },
                passwordSecret: { secret: "restic_password" },
              },
            },
          },
          mail: {
            smarthost: { host: "smtp.example.org", port: 587, user: "rtutils@example.org", passwordSecret: { secret: "smtp_password" } },
            notifyTo: ["ops@example.org"],
          },
        },
        security: { acme: { acceptTerms: true, defaults: { email: "ops@example.org" } } },
      },
    }),
  },
});

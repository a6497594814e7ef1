// What every host of the fleet gets: an admin account, a few tools, a motd and a health check on sshd.
import { defineModule } from "roost";

export const baseline = defineModule({
  config: ({ name }) => ({
    packages: ["htop", "curl"],
    users: {
      users: {
        ops: {
          extraGroups: ["systemd-journal"],
          authorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHqQpPHfcOg3NfYGo3aMSQbBqJ1k0L8yQm5c3zBv0a5u ops@example.org"],
        },
      },
    },
    files: { "/etc/motd": { text: `${name}: managed by roost. Local changes are reported by roost plan.\n` } },
    healthChecks: { sshd: { type: "unit", unit: "ssh.service" } },
  }),
});

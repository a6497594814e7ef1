// Seed 002's fleet: cheetah is the central monitoring host (VictoriaMetrics, vmalert, Alertmanager
// behind https://metrics.apps.ondy.org), tiger a server and dino a laptop that comes and goes. Every
// host runs node_exporter and vmagent and writes with its own token (monitoring_token_<host>, a
// Roost secret); alerts go by mail through the smarthost. `roost secrets generate` makes the tokens.
import { defineFleet, host, secret } from "roost";
import { acme } from "roost/services/acme";
import { monitoring } from "roost/services/monitoring";

export default defineFleet({
  modules: [monitoring],
  secrets: { admins: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHaqh99lGsbKvG9RVOwCFiP9zek3xOAj9aqrTOLa26Fo ops@laptop"] },
  hosts: {
    cheetah: host({
      address: "root@203.0.113.10",
      // `roost hosts keyscan cheetah` prints it; secrets are encrypted to it.
      hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILqdTe32rfX6La5xOwaoMnvV6BzKytTZ6ucuOxhZo7no",
      modules: [monitoring, acme],
      config: {
        security: { acme: { acceptTerms: true, defaults: { email: "ops@ondy.org" } } },
        monitoring: {
          server: {
            enable: true,
            domain: "metrics.apps.ondy.org",
            retention: "90d",
            mail: {
              to: ["ops@ondy.org"],
              from: "alerts@ondy.org",
              smarthost: "smtp.ondy.org:587",
              user: "alerts@ondy.org",
              passwordSecret: secret("smtp_password"),
            },
          },
        },
      },
    }),
    tiger: host({
      address: "root@203.0.113.11",
      hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIkuSGCylCOJdAXa5FdpR0Hqkg1xL4W9w+QUM+VIqsDN",
      modules: [monitoring],
    }),
    dino: host({
      address: "root@dino.lan",
      hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFxOscQc04QUo8AX2Irk/B0hTugQRHQx10oS/yh3S8AT",
      modules: [monitoring],
      // A laptop: its absence is no outage, and up to 2 GiB of samples wait on its disk until it is back.
      config: { monitoring: { agent: { intermittent: true, bufferSize: "2G" } } },
    }),
  },
});

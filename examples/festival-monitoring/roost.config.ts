// Seed 001: the festival host runs its whole monitoring stack from one switch
// (zugvoegel.services.monitoring.enable, modules/monitoring.ts). Grafana and Promtail are pinned to
// release files whose sha256 is published; Loki's pin is left to the operator (lokiRelease), and
// until it is set no logs are shipped, which `roost check` reports as a warning.
import { defineFleet, host } from "roost";
import { acme } from "roost/services/acme";
import { monitoring } from "roost/services/monitoring";
import { festivalMonitoring } from "./modules/monitoring.ts";

export default defineFleet({
  modules: [festivalMonitoring],
  secrets: { admins: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHaqh99lGsbKvG9RVOwCFiP9zek3xOAj9aqrTOLa26Fo ops@laptop"] },
  hosts: {
    festival: host({
      address: "root@203.0.113.20",
      // `roost hosts keyscan festival` prints it; secrets are encrypted to it.
      hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG8lQnt/o4XXsLuDd0C3X/K/RDloH8iirRNisguATLB0",
      modules: [festivalMonitoring, monitoring, acme],
      config: {
        networking: { addresses: ["203.0.113.20"] },
        security: { acme: { acceptTerms: true, defaults: { email: "ops@zugvoegel.example" } } },
        monitoring: {
          server: { mail: { to: ["ops@zugvoegel.example"], from: "alerts@zugvoegel.example", smarthost: "smtp.zugvoegel.example:587" } },
        },
        zugvoegel: {
          services: {
            monitoring: {
              enable: true,
              metricsDomain: "metrics.zugvoegel.example",
              grafanaDomain: "grafana.zugvoegel.example",
              // Grafana Enterprise runs as the open-source edition without a licence; sha256 as published for this file.
              grafanaRelease: {
                url: "https://dl.grafana.com/enterprise/release/grafana-enterprise-11.2.0.linux-amd64.tar.gz",
                sha256: "c441f869b7ea70559778bb31b603810e79f36aee26755be404368b3063b4825a",
              },
              promtailRelease: {
                url: "https://github.com/grafana/loki/releases/download/v2.9.4/promtail-linux-amd64.zip",
                sha256: "ff40a0717b9901ad42f4fea3c1ab307efc9d267266d7abbbcbabce2144e4e0f4",
              },
            },
          },
        },
      },
    }),
  },
});

// Seed 003's workstation as a Roost host: Grafana Alloy sends node metrics to Mimir, receives OTLP on
// 127.0.0.1:4318 and exports it, batched, both to the cluster and to the local monitor on
// 127.0.0.1:4320 (each destination with its own queue: the cluster being offline never holds up the
// local one), and ships the journal of a few units to Loki with the host label. Beyla instruments
// the processes listening on 8000-8999 and Pyroscope profiles the Django app, both ordered after Alloy.
//
// None of the three is a Debian package, and nothing is downloaded that is not pinned: set
// services.alloy.aptKey (Grafana's apt signing key, checked by you) or services.alloy.release
// (url + sha256), and services.beyla.release / services.pyroscope.agent.release. Until then
// `roost check` warns that they are not installed, and renders and checks their configuration.
import { defineFleet, host } from "roost";
import { alloy } from "roost/services/alloy";
import { beyla } from "roost/services/beyla";
import { pyroscope } from "roost/services/pyroscope";

export default defineFleet({
  modules: [alloy, beyla, pyroscope],
  hosts: {
    thinkpad: host({
      address: "root@thinkpad.lan",
      modules: [alloy, beyla, pyroscope],
      config: {
        services: {
          alloy: {
            enable: true,
            remoteWrite: { mimir: { url: "https://mimir.tail286401.ts.net/api/v1/push" } },
            otlp: {
              exporters: {
                k8s: { endpoint: "https://otel.tail286401.ts.net" },
                local: { endpoint: "http://127.0.0.1:4320" },
              },
            },
            logs: {
              lokiUrl: "https://loki.tail286401.ts.net/loki/api/v1/push",
              journald: { units: ["alloy", "beyla", "pyroscope-agent", "nginx"] },
            },
          },
          beyla: { enable: true, openPort: "8000-8999", serviceName: "django-app" },
          pyroscope: {
            agent: {
              enable: true,
              serverAddress: "http://pyroscope.tail286401.ts.net:4040",
              applications: { "django-app": { spyName: "pyspy", serviceName: "app.service" } },
            },
          },
        },
      },
    }),
  },
});

// A two-host homelab: a web host that serves a static site and an app, and a backup host that
// pulls a nightly copy. Together they use every host primitive Roost has.
import { defineFleet, host, mkDefault } from "roost";
import { staticSite } from "./modules/static-site.ts";
import { nightlyCopy } from "./modules/nightly-copy.ts";
import { baseline } from "./modules/baseline.ts";

export default defineFleet({
  modules: [baseline],
  hosts: {
    web: host({
      address: "root@10.0.0.10",
      modules: [staticSite],
      config: {
        site: { enable: true, domain: "www.example.org", port: 8080 },
        networking: { firewall: { allowedTCPPorts: [80] } },
      },
    }),
    vault: host({
      address: "root@10.0.0.11",
      modules: [nightlyCopy],
      config: ({ nodes }) => ({
        nightlyCopy: { from: nodes.web!.config.site.root, at: "*-*-* 03:30:00" },
        networking: { firewall: { allowPing: mkDefault(false) } },
      }),
    }),
  },
});

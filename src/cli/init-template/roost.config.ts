// The fleet: every host, the modules it uses and its own settings. `roost check` evaluates and
// validates it; `roost options` lists every option a host has.
import { defineFleet, host } from "roost";
import { site } from "./modules/site.ts";

export default defineFleet({
  hosts: {
    web: host({
      address: "root@192.0.2.10",
      modules: [site],
      config: { site: { enable: true, title: "Hello from Roost" } },
    }),
    client: host({
      address: "root@192.0.2.11",
      config: { files: { "/etc/motd": { text: "Managed by Roost.\n" } } },
    }),
  },
});

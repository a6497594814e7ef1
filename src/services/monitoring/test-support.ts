// The central host the monitoring unit tests build their fleets around.
import { host } from "roost";
import { acme } from "roost/services/acme";
import { monitoring } from "./index.ts";

export const monitored = [monitoring] as const;
export const mail = { to: ["ops@example.org"], from: "alerts@example.org", smarthost: "smtp.example.org:587" };

/** cheetah: the monitoring server at metrics.example.org, with an ACME account; `server` adds to monitoring.server. */
export function serverHost(server: object = {}) {
  return host({
    address: "root@10.0.0.1",
    modules: [monitoring, acme],
    config: {
      security: { acme: { acceptTerms: true, defaults: { email: "ops@example.org" } } },
      monitoring: { server: { enable: true, domain: "metrics.example.org", mail, ...server } },
    },
  });
}

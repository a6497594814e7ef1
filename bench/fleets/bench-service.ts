// The end state both tools reach in bench/deploy: a package, a system user, two files, and a
// systemd unit that restarts when its page changes.
import { defineFleet, defineModule, host, type Fleet } from "roost";

export const benchService = (message: string) =>
  defineModule({
    config: {
      packages: ["tree"],
      users: { users: { bench: { isSystemUser: true, home: "/srv/bench", createHome: false } } },
      directories: { "/srv/bench": { owner: "bench", group: "bench" } },
      files: {
        "/srv/bench/index.html": { text: `${message}\n`, owner: "bench", group: "bench" },
        "/etc/bench/app.conf": { text: "listen = 8090\nworkers = 2\n" },
      },
      systemd: {
        services: {
          bench: {
            description: "Bench web server",
            serviceConfig: { ExecStart: ["/bin/busybox httpd -f -p 8090 -h /srv/bench"], User: "bench", Restart: "on-failure" },
            restartTriggers: [message],
          },
        },
      },
      networking: { firewall: { enable: false } },
    },
  });

/** Hosts by name → [address, host key]. */
export function benchFleet(hosts: Record<string, [string, string]>, message: string): Fleet {
  return defineFleet({
    hosts: Object.fromEntries(
      Object.entries(hosts).map(([name, [address, hostKey]]) => [name, host({ address, hostKey, modules: [benchService(message)] })]),
    ),
  });
}

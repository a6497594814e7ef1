// A synthetic fleet for benchmarks: every host runs ten services, each with a system user, a data
// directory, a config file, a hardened unit, a timer for every other one, a firewall port and a
// health check, all written the way a service module writes them.
import { defineFleet, defineModule, host, mkIf, option, types as t, type Host } from "roost";

const serviceType = t.submodule({
  options: {
    port: option({ type: t.port, description: "Port." }),
    package: option({ type: t.pkg, default: "busybox", description: "Package." }),
    settings: option({ type: t.attrsOf(t.str), default: {}, description: "Settings for the config file." }),
    nightly: option({ type: t.bool, default: false, description: "Run a nightly job too." }),
  },
});

export const appModule = defineModule({
  options: { apps: option({ type: t.attrsOf(serviceType), default: {}, description: "Synthetic services." }) },
  config: ({ config }) => {
    const apps = Object.entries(config.apps);
    const conf = (name: string, s: (typeof config.apps)[string]) =>
      Object.entries({ listen: `127.0.0.1:${s.port}`, name, ...s.settings })
        .map(([k, v]) => `${k} = ${v}`)
        .join("\n") + "\n";
    return {
      packages: apps.map(([, s]) => s.package),
      users: { users: Object.fromEntries(apps.map(([name]) => [name, { isSystemUser: true }])) },
      directories: Object.fromEntries(apps.map(([name]) => [`/var/lib/${name}`, { owner: name, group: name, mode: "0750" }])),
      files: Object.fromEntries(apps.map(([name, s]) => [`/etc/${name}/${name}.conf`, { text: conf(name, s), group: name, mode: "0640" }])),
      systemd: {
        services: Object.fromEntries(
          apps.flatMap(([name, s]) => [
            [
              name,
              {
                description: `Synthetic service ${name}`,
                after: ["network-online.target"],
                wants: ["network-online.target"],
                environment: { APP_NAME: name, APP_PORT: String(s.port) },
                serviceConfig: {
                  ExecStart: [`/bin/busybox httpd -f -p ${s.port} -h /var/lib/${name}`],
                  User: name,
                  Group: name,
                  Restart: "on-failure",
                  RestartSec: "5s",
                  NoNewPrivileges: true,
                  ProtectSystem: "strict",
                  ProtectHome: "yes",
                  PrivateTmp: true,
                  ReadWritePaths: [`/var/lib/${name}`],
                },
                restartTriggers: [conf(name, s)],
              },
            ],
            ...(s.nightly
              ? [
                  [
                    `${name}-nightly`,
                    {
                      description: `Nightly job of ${name}`,
                      startAt: ["daily"],
                      script: `echo nightly ${name}`,
                      serviceConfig: { Type: "oneshot", User: name },
                    },
                  ],
                ]
              : []),
          ]),
        ),
      },
      networking: { firewall: { allowedTCPPorts: apps.map(([, s]) => s.port) } },
      healthChecks: Object.fromEntries(apps.map(([name, s]) => [name, { type: "tcp", port: s.port }])),
    };
  },
});

const monitoring = defineModule({
  options: { monitored: option({ type: t.bool, default: true, description: "Run the node exporter." }) },
  config: ({ config }) =>
    mkIf(config.monitored, {
      packages: ["prometheus-node-exporter"],
      networking: { firewall: { allowedTCPPorts: [9100] } },
      healthChecks: { "node-exporter": { type: "unit", unit: "prometheus-node-exporter.service" } },
    }),
});

export function syntheticHosts(count: number): Record<string, Host> {
  const hosts: Record<string, Host> = {};
  for (let i = 0; i < count; i++) {
    const apps = Object.fromEntries(
      Array.from({ length: 10 }, (_, j) => [
        `app${j}`,
        { port: 8000 + j, nightly: j % 2 === 0, settings: { workers: String(1 + (i % 4)), region: `r${i % 3}` } },
      ]),
    );
    hosts[`host${String(i).padStart(4, "0")}`] = host({
      address: `root@10.1.${Math.floor(i / 250)}.${i % 250}`,
      modules: [appModule],
      config: { apps },
    });
  }
  return hosts;
}

export function syntheticFleet(count: number) {
  return defineFleet({ modules: [monitoring], hosts: syntheticHosts(count) });
}

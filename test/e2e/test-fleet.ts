// The fleet Roost's end-to-end tests deploy: a small web service with a config file, a user, a
// health check, and an independent background unit, on any number of hosts.
import { defineFleet, defineModule, host, mkDefault, mkIf, option, types as t, type Fleet } from "roost";

export const greeter = defineModule({
  options: {
    greeter: {
      enable: option({ type: t.bool, default: true, description: "Serve a greeting." }),
      message: option({ type: t.str, default: "hello", description: "What the page says." }),
      port: option({ type: t.port, default: 8080, description: "Port." }),
      expectBody: option({ type: t.nullOr(t.str), default: null, description: "What the health check expects (default: the message)." }),
    },
    ticker: { enable: option({ type: t.bool, default: true, description: "Run the background unit." }) },
  },
  config: ({ config }) => {
    const g = config.greeter;
    return {
      files: mkIf(g.enable, { "/srv/greeter/index.html": { text: `${g.message}\n`, owner: "greeter", group: "greeter" } }),
      users: mkIf(g.enable, { users: { greeter: { isSystemUser: true, home: "/srv/greeter" } } }),
      systemd: {
        services: {
          greeter: mkIf(g.enable, {
            description: "Greeter",
            serviceConfig: { ExecStart: [`/bin/busybox httpd -f -p ${g.port} -h /srv/greeter`], User: "greeter", Restart: "on-failure" },
            restartTriggers: [g.message],
          }),
          ticker: mkIf(config.ticker.enable, {
            description: "A unit no test changes",
            serviceConfig: { ExecStart: ["/bin/sleep infinity"] },
          }),
        },
      },
      healthChecks: mkIf(g.enable, {
        greeter: { type: "http", url: `http://127.0.0.1:${g.port}/`, expectBody: g.expectBody ?? g.message, timeout: mkDefault(30) },
      }),
      deployment: { confirmTimeout: 30 },
    };
  },
});

/** A fleet of the named hosts, each with the greeter and `config` on top. */
export function testFleet(names: readonly string[], config: (name: string) => object = () => ({})): Fleet {
  return defineFleet({
    hosts: Object.fromEntries(
      names.map((n) => [n, host({ address: `root@${n}.invalid`, modules: [greeter], config: config(n) as never })]),
    ),
  });
}

/** When a unit last entered the active state (monotonic µs): unchanged means it was not restarted. */
export async function activeSince(h: { succeed(cmd: string): Promise<string> }, unit: string): Promise<string> {
  return (await h.succeed(`systemctl show -p ActiveEnterTimestampMonotonic --value ${unit}`)).trim();
}

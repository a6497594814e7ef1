// nginx from Debian's package, run by Roost's own nginx.service from one nginx.conf rendered from
// services.nginx (as NixOS names it). A configuration change is tested and reloaded, never restarted.
import { defineModule, execLine, mkIf } from "roost";
import { nginxAssertions } from "./checks.ts";
import { nginxFormat, nginxOptions } from "./options.ts";
import { configPath, listeners, pidFile, renderConfig, type NginxSettings } from "./render.ts";

export { nginxFormat, upstreamUrl } from "./options.ts";
export { dnsNameProblem } from "./checks.ts";

const nginxBin = "/usr/sbin/nginx";

export const nginx = defineModule({
  name: "nginx",
  options: { services: { nginx: nginxOptions } },
  config: ({ config }) => {
    const cfg = config.services.nginx;
    const settings = cfg as unknown as NginxSettings;
    const text = nginxFormat.generate(renderConfig(settings) as Parameters<typeof nginxFormat.generate>[0]);
    const vhosts = Object.values(settings.virtualHosts);
    const test = execLine([nginxBin, "-t", "-q", "-c", configPath]);
    return mkIf(cfg.enable, {
      packages: [cfg.package],
      files: { [configPath]: { text } },
      // Debian's package ships nginx.service reading /etc/nginx/nginx.conf and sites-enabled; this unit of
      // the same name in /etc/systemd/system replaces it whole, and reads Roost's file only.
      systemd: {
        services: {
          nginx: {
            description: "nginx web server and reverse proxy",
            documentation: ["man:nginx(8)"],
            after: ["network-online.target"],
            wants: ["network-online.target"],
            wantedBy: ["multi-user.target"],
            serviceConfig: {
              Type: "forking",
              PIDFile: pidFile,
              ExecStartPre: [test],
              ExecStart: [execLine([nginxBin, "-c", configPath])],
              // A configuration nginx refuses fails the reload (and so the deploy) before nginx sees it.
              ExecReload: [test, execLine([nginxBin, "-c", configPath, "-s", "reload"])],
              // A graceful stop (QUIT: finish the requests in flight), as Debian's unit does; "-": a stopped nginx is fine.
              ExecStop: [`-${execLine(["/sbin/start-stop-daemon", "--quiet", "--stop", "--retry", "QUIT/5", "--pidfile", pidFile])}`],
              TimeoutStopSec: 5,
              KillMode: "mixed",
              Restart: "on-failure",
              // The master runs as root (ports 80/443, the certificates); it writes only logs, its temp
              // files under /var/lib/nginx and its pid file, so the rest of the system is read-only to it.
              NoNewPrivileges: true,
              ProtectSystem: "full",
              PrivateTmp: true,
              PrivateDevices: true,
              ProtectKernelTunables: true,
              ProtectKernelModules: true,
              ProtectControlGroups: true,
              RestrictSUIDSGID: true,
              LockPersonality: true,
            },
            reloadTriggers: [text],
          },
        },
      },
      networking: {
        ports: listenerPorts([...vhosts.flatMap(listeners), ...(cfg.statusPage ? [{ address: "[::]", port: 80 }] : [])]),
        firewall: { allowedTCPPorts: cfg.openFirewall ? servedPorts(vhosts) : [] },
      },
      healthChecks: cfg.statusPage
        ? { nginx: { type: "http", url: "http://localhost/nginx_status", expectBody: "Active connections" } }
        : { nginx: { type: "unit", unit: "nginx.service" } },
      get assertions() {
        return nginxAssertions(settings.virtualHosts, config.networking.ports);
      },
    });
  },
});

/**
 * The ports virtual hosts serve beyond the host itself: what the firewall opens. A host with no
 * virtual host (nginx only as a local proxy, or the status page, which answers localhost) opens none.
 */
function servedPorts(vhosts: readonly Parameters<typeof listeners>[0][]): number[] {
  const loopback = (a: string) => /^(127\.|\[::1\]$|::1$|localhost$)/.test(a);
  const ports = vhosts.flatMap(listeners).filter((l) => !loopback(l.address));
  return [...new Set(ports.map((l) => l.port))].sort((a, b) => a - b);
}

/** networking.ports entries: one for each port nginx binds on every address, else one per address. */
function listenerPorts(all: readonly { address: string; port: number }[]) {
  const wildcard = (a: string) => a === "0.0.0.0" || a === "[::]";
  const out: Record<string, { port: number; address: string; option: string[] }> = {};
  for (const port of [...new Set(all.map((l) => l.port))].sort((a, b) => a - b)) {
    const here = all.filter((l) => l.port === port);
    if (here.some((l) => wildcard(l.address)))
      out[`nginx-${port}`] = { port, address: "::", option: ["services", "nginx", "virtualHosts"] };
    else
      for (const address of [...new Set(here.map((l) => l.address))])
        out[`nginx-${port}-${address}`] = { port, address, option: ["services", "nginx", "virtualHosts"] };
  }
  return out;
}

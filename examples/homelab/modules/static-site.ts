// A static site served by a small hardened web server, with its own user, data directory and checks.
import { defineModule, mkIf, option, types as t } from "roost";

export const staticSite = defineModule({
  options: {
    site: {
      enable: option({ type: t.bool, default: false, description: "Serve the static site." }),
      domain: option({ type: t.str, description: "The site's name.", example: "www.example.org" }),
      port: option({ type: t.port, default: 8080, description: "Port the web server listens on." }),
      root: option({ type: t.path, default: "/srv/site", description: "Where the site's files live." }),
    },
  },
  config: ({ config }) => {
    const cfg = config.site;
    const index = `<!doctype html><title>${cfg.domain}</title><h1>${cfg.domain}</h1>\n`;
    return mkIf(cfg.enable, {
      packages: ["busybox"],
      users: { users: { site: { isSystemUser: true, home: cfg.root, createHome: false } } },
      directories: {
        [cfg.root]: { owner: "site", group: "site", mode: "0755" },
        "/var/cache/site": { owner: "site", group: "site", age: "7d" },
      },
      files: { [`${cfg.root}/index.html`]: { text: index, owner: "site", group: "site" } },
      systemd: {
        services: {
          site: {
            description: `Static site ${cfg.domain}`,
            after: ["network-online.target"],
            wants: ["network-online.target"],
            environment: { SITE_DOMAIN: cfg.domain },
            serviceConfig: {
              ExecStart: [`/bin/busybox httpd -f -p ${cfg.port} -h ${cfg.root}`],
              User: "site",
              Group: "site",
              Restart: "on-failure",
              RestartSec: "2s",
              NoNewPrivileges: true,
              ProtectSystem: "strict",
              ProtectHome: "yes",
              PrivateTmp: true,
              ReadOnlyPaths: [cfg.root],
            },
            restartTriggers: [index],
          },
        },
      },
      networking: { firewall: { allowedTCPPorts: [cfg.port] } },
      healthChecks: {
        site: { type: "http", url: `http://127.0.0.1:${cfg.port}/`, expectBody: cfg.domain },
        "site-port": { type: "tcp", port: cfg.port },
      },
    });
  },
});

// A small static web site: options first, then what the host gets when it is enabled.
import { defineModule, mkIf, option, types as t } from "roost";

export const site = defineModule({
  options: {
    site: {
      enable: option({ type: t.bool, default: false, description: "Serve a static page." }),
      title: option({ type: t.str, default: "It works", description: "The page's title and heading." }),
      port: option({ type: t.port, default: 8080, description: "Port the web server listens on (opened in the firewall)." }),
      root: option({ type: t.path, default: "/srv/site", description: "Where the page lives." }),
    },
  },
  config: ({ config }) => {
    const cfg = config.site;
    const page = `<!doctype html><title>${cfg.title}</title><h1>${cfg.title}</h1>\n`;
    return mkIf(cfg.enable, {
      packages: ["busybox"],
      users: { users: { site: { isSystemUser: true } } },
      directories: { [cfg.root]: { owner: "root", group: "root", mode: "0755" } },
      files: { [`${cfg.root}/index.html`]: { text: page } },
      systemd: {
        services: {
          site: {
            description: "Static site",
            serviceConfig: {
              ExecStart: [`/bin/busybox httpd -f -p ${cfg.port} -h ${cfg.root}`],
              User: "site",
              ProtectSystem: "strict",
              ProtectHome: "yes",
              NoNewPrivileges: true,
            },
            restartTriggers: [page],
          },
        },
      },
      networking: { firewall: { allowedTCPPorts: [cfg.port] } },
      healthChecks: { site: { type: "http", url: `http://127.0.0.1:${cfg.port}/`, expectBody: cfg.title } },
    });
  },
});

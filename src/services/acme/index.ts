// ACME certificates from certbot (Debian's), over HTTP-01 through nginx's virtual hosts. nginx starts on
// a self-signed placeholder; acme-<cert>.service then gets the real certificate, installs it where
// nginx reads it and reloads nginx. Everything lives under /var/lib/acme, outside the generations.
import { type ConfigOf, defineModule, execLine, type HostConfig, mkDefault, option, shellArgs, types as t } from "roost";
import { dnsNameProblem, nginx } from "roost/services/nginx";
import { acmeOptions, acmeVirtualHostOptions, certbotDirs, certNamePattern, stateDir } from "./options.ts";
import { installCert, installCertPath, placeholderCert, placeholderCertPath } from "./scripts.ts";

export { letsEncrypt } from "./options.ts";

const certPaths = (name: string) => ({ fullchain: `${stateDir}/${name}/fullchain.pem`, key: `${stateDir}/${name}/key.pem` });

type AcmeHostConfig = HostConfig & {
  security: { acme: ConfigOf<{ acme: typeof acmeOptions }>["acme"] };
  services: { nginx: { enable: boolean; virtualHosts: Record<string, Vhost> } };
};

type Vhost = { serverName: string | null; serverAliases: string[]; enableACME: boolean; useACMEHost: string | null };
const certOf = (name: string, v: Vhost) => v.useACMEHost ?? v.serverName ?? name;

/** Each nginx host with enableACME has a certificate of its names, whose renewal reloads nginx. */
// A module of its own: acme's config reads security.acme.certs, which this defines.
const certificatesOfVirtualHosts = defineModule({
  name: "acme-virtual-hosts",
  config: ({ config }) => {
    const nginxCfg = (config as unknown as { services: { nginx: { enable: boolean; virtualHosts: Record<string, Vhost> } } }).services
      .nginx;
    // A name that cannot name a certificate is refused by acme's assertions, with the host's line.
    const own = nginxCfg.enable
      ? Object.entries(nginxCfg.virtualHosts).filter(([n, v]) => v.enableACME && certNamePattern.test(certOf(n, v)))
      : [];
    return {
      security: {
        acme: {
          certs: Object.fromEntries(
            own.map(([n, v]) => [
              certOf(n, v),
              { domain: v.serverName ?? n, extraDomainNames: v.serverAliases, reloadServices: ["nginx.service"] },
            ]),
          ),
        },
      },
    };
  },
});

export const acme = defineModule({
  name: "acme",
  imports: [nginx, certificatesOfVirtualHosts],
  options: {
    security: { acme: acmeOptions },
    services: {
      nginx: {
        virtualHosts: option({
          type: t.attrsOf(
            t.submodule({
              options: acmeVirtualHostOptions,
              // Read by nginx's own options (declared beside these): the certificate's paths and the challenge directory.
              config: ({ name, config: v, host }) => {
                const vhost = v as unknown as Vhost;
                if (!vhost.enableACME && vhost.useACMEHost === null) return {};
                const paths = certPaths(certOf(name, vhost));
                return {
                  sslCertificate: mkDefault(paths.fullchain),
                  sslCertificateKey: mkDefault(paths.key),
                  ...(vhost.enableACME ? { acmeRoot: mkDefault(host.config.security.acme.defaults.webroot) } : {}),
                } as never;
              },
            }),
          ),
          description: "Virtual hosts, with ACME certificates (enableACME, useACMEHost).",
        }),
      },
    },
  },
  // Getters: the definitions read security.acme.certs, which the virtual hosts' module defines from
  // services.nginx, whose own computation may run this function; reading certs here would be a cycle.
  config: ({ config }) => {
    let built: ReturnType<typeof definitions> | undefined;
    const get = () => (built ??= definitions(config));
    return {
      get packages() {
        return get().packages;
      },
      get files() {
        return get().files;
      },
      get systemd() {
        return get().systemd;
      },
      get assertions() {
        return get().assertions;
      },
    };
  },
});

function definitions(config: AcmeHostConfig) {
  const acme = config.security.acme;
  const vhosts = Object.entries(config.services.nginx.virtualHosts as Record<string, Vhost>);
  const nginxOn = config.services.nginx.enable;
  const ownCerts = nginxOn ? vhosts.filter(([, v]) => v.enableACME) : [];
  const certs = acme.certs;
  const names = Object.keys(certs).sort();
  // The certificates nginx reads: it starts after their placeholders exist.
  const nginxCerts = names.filter(
    (c) => nginxOn && vhosts.some(([n, v]) => (v.enableACME || v.useACMEHost !== null) && certOf(n, v) === c),
  );
  const resolved = names.map((name) => {
    const c = certs[name]!;
    const domains = [c.domain ?? name, ...c.extraDomainNames];
    return {
      name,
      domains,
      email: c.email ?? acme.defaults.email,
      server: c.server ?? acme.defaults.server,
      webroot: c.webroot ?? acme.defaults.webroot,
      group: c.group ?? acme.defaults.group,
      reload: [...new Set([...acme.defaults.reloadServices, ...c.reloadServices])],
    };
  });
  const certbot = (c: (typeof resolved)[number]) => {
    const lineage = `${certbotDirs.config}/live/${c.name}`;
    const install = [installCertPath, lineage, `${stateDir}/${c.name}`, c.group, ...c.reload];
    return {
      // certbot allows one instance per configuration directory and refuses the others: the
      // certificates of a host wait for each other instead of failing.
      exec: [
        "/usr/bin/flock",
        "/run/lock/roost-certbot.lock",
        "/usr/bin/certbot",
        "certonly",
        "--non-interactive",
        "--agree-tos",
        "--no-eff-email",
        ...(c.email ? ["--email", c.email] : ["--register-unsafely-without-email"]),
        "--server",
        c.server,
        "--config-dir",
        certbotDirs.config,
        "--work-dir",
        certbotDirs.work,
        "--logs-dir",
        certbotDirs.logs,
        "--cert-name",
        c.name,
        "--webroot",
        "--webroot-path",
        c.webroot,
        ...c.domains.flatMap((d) => ["-d", d]),
        "--keep-until-expiring",
        "--no-random-sleep-on-renew",
        // Kept in the lineage's renewal file: `certbot renew` installs and reloads as well.
        "--deploy-hook",
        shellArgs(install),
      ],
      install,
    };
  };
  const any = names.length > 0;
  return {
    packages: any ? ["certbot", "openssl"] : [],
    files: Object.fromEntries(
      any
        ? [
            [placeholderCertPath, { text: placeholderCert, mode: "0755" }],
            [installCertPath, { text: installCert, mode: "0755" }],
          ]
        : [],
    ),
    systemd: {
      services: {
        ...Object.fromEntries(
          resolved.flatMap((c) => {
            const { exec, install } = certbot(c);
            return [
              [
                `acme-selfsigned-${c.name}`,
                {
                  description: `Placeholder certificate for ${c.name} until the ACME server issues one`,
                  before: nginxCerts.includes(c.name) ? ["nginx.service"] : [],
                  serviceConfig: {
                    Type: "oneshot",
                    RemainAfterExit: true,
                    StateDirectory: ["acme"],
                    ExecStart: [execLine([placeholderCertPath, `${stateDir}/${c.name}`, c.group, c.domains[0]!])],
                  },
                },
              ],
              [
                `acme-${c.name}`,
                {
                  description: `Certificate ${c.name} from ${c.server}`,
                  after: ["network-online.target", "nginx.service", `acme-selfsigned-${c.name}.service`],
                  wants: ["network-online.target", `acme-selfsigned-${c.name}.service`],
                  // Started by its timer: at once when the timer starts (a deploy, a boot), then on renewInterval.
                  // A deploy never waits for, or fails on, the ACME server.
                  wantedBy: [],
                  environment: acme.defaults.serverCaFile ? { REQUESTS_CA_BUNDLE: acme.defaults.serverCaFile } : {},
                  serviceConfig: {
                    Type: "oneshot",
                    StateDirectory: ["acme"],
                    ExecStartPre: [execLine(["/usr/bin/install", "-d", "-m", "0755", c.webroot])],
                    ExecStart: [execLine(exec)],
                    ExecStartPost: [execLine(install)],
                    TimeoutStartSec: 600,
                  },
                },
              ],
            ];
          }),
        ),
        ...(nginxCerts.length > 0
          ? {
              nginx: {
                after: nginxCerts.map((n) => `acme-selfsigned-${n}.service`),
                wants: nginxCerts.map((n) => `acme-selfsigned-${n}.service`),
              },
            }
          : {}),
      },
      timers: Object.fromEntries(
        resolved.map((c) => [
          `acme-${c.name}`,
          {
            description: `Obtains and renews certificate ${c.name}`,
            timerConfig: { OnActiveSec: 1, OnCalendar: [acme.defaults.renewInterval], Persistent: true, AccuracySec: 1 },
            // A changed request (another name, server or e-mail) restarts the timer, which asks at once.
            restartTriggers: [certbot(c).exec],
          },
        ]),
      ),
    },
    assertions: [
      ...acmeAssertions(config.security.acme.acceptTerms, resolved, ownCerts),
      ...vhosts
        .filter(([, v]) => nginxOn && v.useACMEHost !== null && !(v.useACMEHost in certs))
        .map(([n, v]) => ({
          assertion: false,
          message: `services.nginx.virtualHosts.${showName(n)}.useACMEHost: there is no security.acme.certs.${showName(v.useACMEHost!)} (certificates: ${names.join(", ") || "none"})`,
          options: [["services", "nginx", "virtualHosts", n, "useACMEHost"]],
        })),
    ],
  };
}

function acmeAssertions(
  acceptTerms: boolean,
  certs: readonly { name: string; domains: string[]; email: string | null }[],
  vhosts: readonly [string, Vhost][],
) {
  const vhostOf = (cert: string) => vhosts.find(([n, v]) => certOf(n, v) === cert)?.[0];
  const out: { assertion: boolean; message: string; options: string[][] }[] = [];
  const fail = (message: string, ...options: string[][]) => out.push({ assertion: false, message, options });
  for (const c of certs) {
    const vhost = vhostOf(c.name);
    const where = vhost ? `services.nginx.virtualHosts.${showName(vhost)}.enableACME` : `security.acme.certs."${c.name}"`;
    const about = vhost ? ["services", "nginx", "virtualHosts", vhost, "enableACME"] : ["security", "acme", "certs", c.name];
    if (!acceptTerms)
      fail(`${where}: set security.acme.acceptTerms = true to accept the ACME server's terms`, about, ["security", "acme", "acceptTerms"]);
    if (c.email === null)
      fail(`${where}: set security.acme.defaults.email, the ACME account's contact address`, about, [
        "security",
        "acme",
        "defaults",
        "email",
      ]);
    if (vhost) continue;
    for (const d of c.domains) {
      const problem = dnsNameProblem(d, { wildcard: false });
      if (problem) fail(`${where}: ${JSON.stringify(d)} cannot be on an HTTP-01 certificate: ${problem}`, about);
    }
  }
  // A host's names are checked on the host, so that the error points at the name's own line.
  for (const [name, v] of vhosts) {
    const path = ["services", "nginx", "virtualHosts", name];
    const names: [string, string[]][] = [
      [v.serverName ?? name, v.serverName === null ? path : [...path, "serverName"]],
      ...v.serverAliases.map((a): [string, string[]] => [a, [...path, "serverAliases"]]),
    ];
    for (const [n, option] of names) {
      const problem = dnsNameProblem(n, { wildcard: false });
      if (problem)
        fail(
          `services.nginx.virtualHosts.${showName(name)}.enableACME: ${JSON.stringify(n)} cannot be on an HTTP-01 certificate: ${problem}`,
          option,
        );
    }
  }
  return out;
}

const showName = (name: string) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? name : JSON.stringify(name));

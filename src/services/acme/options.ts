// security.acme and the virtual hosts' enableACME/useACMEHost, as NixOS names them.
import { option, types as t } from "roost";

export const letsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";
export const stateDir = "/var/lib/acme";
export const certbotDirs = { config: `${stateDir}/.certbot/config`, work: `${stateDir}/.certbot/work`, logs: `${stateDir}/.certbot/logs` };

const directoryUrl = t.strMatching(/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%/-]*)?$/, "https URL of an ACME directory");
const email = t.strMatching(/^[^\s@'"\\]+@[A-Za-z0-9.-]+$/, "e-mail address");
export const certNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const certName = t.strMatching(certNamePattern, "certificate name (letters, digits, . _ -)");
const group = t.strMatching(/^[a-z_][a-z0-9_-]{0,31}$/, "group name");
const unitName = t.strMatching(/^[A-Za-z0-9:_.@-]+\.(service|socket|target)$|^[A-Za-z0-9:_.@-]+$/, "systemd unit name");

const defaults = {
  email: option({
    type: t.nullOr(email),
    default: null,
    description: "Contact address for the ACME account (expiry warnings).",
    example: "admin@example.org",
  }),
  server: option({
    type: directoryUrl,
    default: letsEncrypt,
    description:
      "The ACME directory: Let's Encrypt's production one by default (https://acme-staging-v02.api.letsencrypt.org/directory for staging).",
  }),
  serverCaFile: option({
    type: t.nullOr(t.path),
    default: null,
    description:
      "A PEM file of the CA the ACME client trusts for the directory's own TLS certificate (a test server such as pebble); null: the system's CAs.",
  }),
  renewInterval: option({
    type: t.str,
    default: "daily",
    description: "When the renewal timer runs (OnCalendar=); a certificate is renewed when it has less than 30 days left.",
    example: "*-*-* 03,15:00:00",
  }),
  webroot: option({
    type: t.path,
    default: `${stateDir}/acme-challenge`,
    description: "Directory the HTTP-01 challenge files are written to, served by nginx at /.well-known/acme-challenge/.",
  }),
  group: option({ type: group, default: "root", description: "Group that may read the certificates and keys." }),
  reloadServices: option({
    type: t.listOf(unitName),
    default: [],
    description: "Services reloaded (never restarted) after a new certificate is installed.",
  }),
};

const cert = t.submodule({
  options: {
    domain: option({ type: t.nullOr(t.str), default: null, description: "The certificate's main name (null: the attribute name)." }),
    extraDomainNames: option({
      type: t.listOf(t.str),
      default: [],
      description: "More names on the same certificate.",
      example: ["www.example.org"],
    }),
    email: option({ type: t.nullOr(email), default: null, description: "Contact address (null: security.acme.defaults.email)." }),
    server: option({ type: t.nullOr(directoryUrl), default: null, description: "ACME directory (null: security.acme.defaults.server)." }),
    webroot: option({ type: t.nullOr(t.path), default: null, description: "Challenge directory (null: security.acme.defaults.webroot)." }),
    group: option({
      type: t.nullOr(group),
      default: null,
      description: "Group that may read the key (null: security.acme.defaults.group).",
    }),
    reloadServices: option({
      type: t.listOf(unitName),
      default: [],
      description:
        "Services reloaded (never restarted) after a new certificate is installed, beside security.acme.defaults.reloadServices.",
    }),
  },
});

export const acmeOptions = {
  acceptTerms: option({
    type: t.bool,
    default: false,
    description: "Accept the ACME server's terms of service (Let's Encrypt's subscriber agreement); needed to request any certificate.",
  }),
  defaults: defaults,
  certs: option({
    type: t.attrsOf(cert, certName),
    default: {},
    description: `Certificates by name, kept at ${stateDir}/<name>/{fullchain,key,chain,cert}.pem across generations and rollbacks.`,
    example: { "example.org": { extraDomainNames: ["www.example.org"], reloadServices: ["postfix.service"] } },
  }),
};

export const acmeVirtualHostOptions = {
  enableACME: option({
    type: t.bool,
    default: false,
    description: "Get this host's certificate from the ACME server (security.acme), for its serverName and serverAliases, over HTTP-01.",
  }),
  useACMEHost: option({
    type: t.nullOr(certName),
    default: null,
    description: "Use the certificate security.acme.certs.<name> (declared elsewhere) instead of one of its own.",
    example: "example.org",
  }),
};

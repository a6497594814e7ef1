// The options of services.nginx, named as in NixOS: a reader of a NixOS configuration finds the same
// virtualHosts, locations, forceSSL and proxyPass here.
import { formats, option, types as t } from "roost";

export const nginxFormat = formats.nginx();

/** http(s)://host[:port][/uri], or an upstream on a unix socket: http://unix:/run/app.sock[:/uri]. */
export const upstreamUrl = t.strMatching(
  /^https?:\/\/(unix:\/[^\s:;{}'"\\]+(:\/[^\s;{}'"\\]*)?|([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?(\/[^\s;{}'"\\]*)?)$/,
  'proxy URL such as "http://127.0.0.1:8000" or "http://unix:/run/app/app.sock"',
);

/** An address nginx listens on: IPv4, or IPv6 in brackets. */
const listenAddress = t.strMatching(/^([0-9]{1,3}(\.[0-9]{1,3}){3}|\[[0-9A-Fa-f:.]+\])$/, 'IP address such as "0.0.0.0" or "[::]"');

/** An absolute path; a trailing / is kept, since an alias of a location ending in / must end in / too. */
const directory = t.strSatisfying("absolute path", (v) => t.pathProblem(v.length > 1 && v.endsWith("/") ? v.slice(0, -1) : v));

/** A string nginx reads as words (try_files, index): split on whitespace, each word quoted as needed. */
const words = t.strMatching(/^\S+(\s+\S+)*$/, "words separated by spaces");

const location = t.submodule({
  options: {
    proxyPass: option({
      type: t.nullOr(upstreamUrl),
      default: null,
      description: "Proxy requests to this URL (proxy_pass); a local port must be a networking.ports listener.",
      example: "http://127.0.0.1:8000",
    }),
    proxyWebsockets: option({ type: t.bool, default: false, description: "Pass WebSocket upgrades through to the upstream." }),
    recommendedProxySettings: option({
      type: t.nullOr(t.bool),
      default: null,
      description:
        "Send Host, X-Real-IP, X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host to the upstream (null: services.nginx.recommendedProxySettings).",
    }),
    root: option({ type: t.nullOr(directory), default: null, description: "Serve files under this directory (the URI is appended)." }),
    alias: option({
      type: t.nullOr(directory),
      default: null,
      description: "Serve files from this directory in place of the location's prefix (end it with / when the location does).",
      example: "/var/lib/app/static/",
    }),
    return: option({
      type: t.nullOr(
        t.strMatching(
          /^(\d{3}(\s+\S.*)?|https?:\/\/\S+)$/,
          'status code with an optional URL or text, e.g. "301 https://$host$request_uri"',
        ),
      ),
      default: null,
      description: "Answer with this status (and URL or text) instead of serving anything.",
      example: "301 https://example.org$request_uri",
    }),
    tryFiles: option({
      type: t.nullOr(words),
      default: null,
      description: "try_files: files to try in order, last the fallback.",
      example: "$uri $uri/ =404",
    }),
    index: option({ type: t.nullOr(words), default: null, description: "Index files of directories.", example: "index.html" }),
    priority: option({
      type: t.int,
      default: 1000,
      description: "Order of the location in its server block (lower first); matters for regular expression locations.",
    }),
    extraConfig: option({
      type: nginxFormat.type,
      default: {},
      description: "More directives for this location, in nginx's own names (formats.nginx); a name the module also writes is appended.",
      example: { proxy_read_timeout: "300s", add_header: [["Cache-Control", "public, max-age=3600"]] },
    }),
  },
  validate: (l) =>
    [l.proxyPass, l.root, l.alias, l.return].filter((x) => x !== null).length > 1
      ? "set at most one of proxyPass, root, alias and return"
      : null,
});

const virtualHost = t.submodule({
  options: {
    serverName: option({
      type: t.nullOr(t.str),
      default: null,
      description: "The host's primary name (null: the attribute name).",
      example: "example.org",
    }),
    serverAliases: option({
      type: t.listOf(t.str),
      default: [],
      description: "More names this host answers to.",
      example: ["www.example.org"],
    }),
    listenAddresses: option({
      type: t.listOf(listenAddress),
      default: [],
      description: "Addresses to listen on (empty: every IPv4 and IPv6 address).",
      example: ["10.0.0.5", "[fd00::5]"],
    }),
    default: option({ type: t.bool, default: false, description: "Answer requests whose Host matches no server name (default_server)." }),
    forceSSL: option({
      type: t.bool,
      default: false,
      description: "Serve HTTPS and redirect HTTP to it with 301 (ACME challenges stay on HTTP).",
    }),
    addSSL: option({ type: t.bool, default: false, description: "Serve HTTPS beside HTTP, without redirecting." }),
    onlySSL: option({ type: t.bool, default: false, description: "Serve HTTPS only, with no HTTP server at all." }),
    sslCertificate: option({
      type: t.nullOr(t.path),
      default: null,
      description: "Certificate chain (PEM) of an SSL host.",
      example: "/var/lib/acme/example.org/fullchain.pem",
    }),
    sslCertificateKey: option({
      type: t.nullOr(t.path),
      default: null,
      description: "Private key (PEM) of an SSL host.",
      example: "/var/lib/acme/example.org/key.pem",
    }),
    http2: option({ type: t.bool, default: true, description: "Speak HTTP/2 on the SSL listeners." }),
    acmeRoot: option({
      type: t.nullOr(t.path),
      default: null,
      description:
        "Directory served at /.well-known/acme-challenge/ over HTTP, also when forceSSL redirects the rest (the acme module sets it).",
    }),
    root: option({ type: t.nullOr(t.path), default: null, description: "Document root of the server.", example: "/srv/www" }),
    clientMaxBodySize: option({
      type: t.nullOr(t.strMatching(/^\d+[kKmMgG]?$/, 'size such as "10m"')),
      default: null,
      description: "Largest request body (null: services.nginx.clientMaxBodySize).",
    }),
    locations: option({
      type: t.attrsOf(location),
      default: {},
      description: 'Locations by nginx\'s own match: "/", "/static/", "= /health", "~ \\.php$".',
    }),
    extraConfig: option({
      type: nginxFormat.type,
      default: {},
      description:
        "More directives for the server block (each SSL and plain server), in nginx's own names; a name the module also writes is appended.",
      example: { access_log: "off" },
    }),
  },
  validate: (v) =>
    [v.forceSSL, v.addSSL, v.onlySSL].filter(Boolean).length > 1 ? "set at most one of forceSSL, addSSL and onlySSL" : null,
});

export const nginxOptions = {
  enable: option({ type: t.bool, default: false, description: "Whether to enable the nginx web server." }),
  package: option({ type: t.pkg, default: "nginx", description: "The Debian package that provides nginx." }),
  virtualHosts: option({
    type: t.attrsOf(virtualHost),
    default: {},
    description: "Virtual hosts (server blocks), by name; the name is the server name unless serverName is set.",
    example: {
      "example.org": {
        forceSSL: true,
        sslCertificate: "/etc/ssl/example.org.pem",
        sslCertificateKey: "/etc/ssl/example.org.key",
        locations: { "/": { proxyPass: "http://127.0.0.1:8000" } },
      },
    },
  }),
  clientMaxBodySize: option({
    type: t.strMatching(/^\d+[kKmMgG]?$/, 'size such as "10m"'),
    default: "10m",
    description: "Largest request body a client may send (client_max_body_size).",
  }),
  recommendedTlsSettings: option({
    type: t.bool,
    default: true,
    description: "TLS 1.2/1.3 with Mozilla's intermediate ciphers and a session cache.",
  }),
  recommendedGzipSettings: option({ type: t.bool, default: true, description: "Compress text responses with gzip." }),
  recommendedOptimisation: option({
    type: t.bool,
    default: true,
    description: "sendfile, tcp_nopush, tcp_nodelay and keepalive settings.",
  }),
  recommendedProxySettings: option({
    type: t.bool,
    default: true,
    description: "Proxy timeouts and HTTP/1.1 upstreams; default of each location's recommendedProxySettings.",
  }),
  securityHeaders: option({
    type: t.bool,
    default: true,
    description:
      "Send X-Content-Type-Options, Referrer-Policy and X-Frame-Options on every server, and Strict-Transport-Security on SSL servers.",
  }),
  statusPage: option({
    type: t.bool,
    default: true,
    description: "stub_status at http://localhost/nginx_status, for 127.0.0.1 and ::1 only; the health check and exporters read it.",
  }),
  openFirewall: option({
    type: t.bool,
    default: true,
    description:
      "Open the ports the virtual hosts serve on addresses beyond loopback (80, and 443 when some host serves SSL) to every address.",
  }),
  user: option({ type: t.str, default: "www-data", description: "User of the worker processes." }),
  appendHttpConfig: option({
    type: nginxFormat.type,
    default: {},
    description: "More directives for the http block, in nginx's own names (formats.nginx).",
    example: { map: [["$http_accept_language", "$lang", { default: "en", "~de": "de" }]] },
  }),
  appendConfig: option({
    type: nginxFormat.type,
    default: {},
    description: "More directives for the main context, in nginx's own names (formats.nginx).",
    example: { worker_rlimit_nofile: 8192 },
  }),
};

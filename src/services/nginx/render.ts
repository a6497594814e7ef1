// nginx.conf as a typed block model, rendered by formats.nginx: every value reaches nginx as one
// argument, quoted as nginx reads it back.
/** A block of directives, as formats.nginx renders it. */
export type Block = { readonly [directive: string]: unknown };
type Entry = unknown;

/** The final value of services.nginx, as far as this file reads it. */
export interface NginxSettings {
  virtualHosts: Record<string, VirtualHostValue>;
  clientMaxBodySize: string;
  recommendedTlsSettings: boolean;
  recommendedGzipSettings: boolean;
  recommendedOptimisation: boolean;
  recommendedProxySettings: boolean;
  securityHeaders: boolean;
  statusPage: boolean;
  user: string;
  appendHttpConfig: Block;
  appendConfig: Block;
}
export interface LocationValue {
  proxyPass: string | null;
  proxyWebsockets: boolean;
  recommendedProxySettings: boolean | null;
  root: string | null;
  alias: string | null;
  return: string | null;
  tryFiles: string | null;
  index: string | null;
  priority: number;
  extraConfig: Block;
}
export interface VirtualHostValue {
  serverName: string | null;
  serverAliases: string[];
  listenAddresses: string[];
  default: boolean;
  forceSSL: boolean;
  addSSL: boolean;
  onlySSL: boolean;
  sslCertificate: string | null;
  sslCertificateKey: string | null;
  http2: boolean;
  acmeRoot: string | null;
  root: string | null;
  clientMaxBodySize: string | null;
  locations: Record<string, LocationValue>;
  extraConfig: Block;
}

export const configPath = "/etc/nginx/roost.conf";
export const pidFile = "/run/nginx.pid";
const defaultAddresses = ["0.0.0.0", "[::]"];

export const hasSSL = (v: VirtualHostValue) => v.forceSSL || v.addSSL || v.onlySSL;
export const serverNames = (name: string, v: VirtualHostValue) => [v.serverName ?? name, ...v.serverAliases];

/** The listeners of a host: each address with port 80 and/or 443. */
export function listeners(v: VirtualHostValue): { address: string; port: number; ssl: boolean }[] {
  const addresses = v.listenAddresses.length ? v.listenAddresses : defaultAddresses;
  const ports: [number, boolean][] = [];
  if (!v.onlySSL) ports.push([80, false]);
  if (hasSSL(v)) ports.push([443, true]);
  return ports.flatMap(([port, ssl]) => addresses.map((address) => ({ address, port, ssl })));
}

/** Directives of `b` after those of `a`; a name in both keeps both, a's first. */
export function appendBlock(a: Block, b: Block): Block {
  const out: Record<string, unknown> = { ...a };
  for (const [name, value] of Object.entries(b)) {
    out[name] = name in out ? [...asEntries(out[name]!), ...asEntries(value)] : value;
  }
  return out;
}

const asEntries = (v: unknown): unknown[] => (Array.isArray(v) ? [...v] : [v]);

const words = (s: string) => s.trim().split(/\s+/);

/** `"= /health"` → `["=", "/health"]`; `"/static/"` → `["/static/"]`. */
function locationMatch(key: string): string[] {
  const m = /^(=|~\*?|\^~)\s+(.+)$/.exec(key);
  return m ? [m[1]!, m[2]!] : [key];
}

function returnArgs(r: string): (string | number)[] {
  const m = /^(\d{3})(?:\s+(.*))?$/.exec(r);
  if (!m) return [r];
  return m[2] === undefined ? [Number(m[1])] : [Number(m[1]), m[2]];
}

function renderLocation(l: LocationValue, recommendedProxy: boolean): Block {
  const b: Record<string, unknown> = {};
  if (l.root !== null) b.root = l.root;
  if (l.alias !== null) b.alias = l.alias;
  if (l.index !== null) b.index = [words(l.index)];
  if (l.tryFiles !== null) b.try_files = [words(l.tryFiles)];
  if (l.return !== null) b.return = [returnArgs(l.return)];
  if (l.proxyPass !== null) {
    b.proxy_pass = l.proxyPass;
    const headers: [string, string][] = [];
    if (l.recommendedProxySettings ?? recommendedProxy)
      headers.push(
        ["Host", "$host"],
        ["X-Real-IP", "$remote_addr"],
        ["X-Forwarded-For", "$proxy_add_x_forwarded_for"],
        ["X-Forwarded-Proto", "$scheme"],
        ["X-Forwarded-Host", "$host"],
      );
    if (l.proxyWebsockets) {
      b.proxy_http_version = "1.1";
      headers.push(["Upgrade", "$http_upgrade"], ["Connection", "$connection_upgrade"]);
    }
    if (headers.length) b.proxy_set_header = headers;
  }
  return appendBlock(b, l.extraConfig);
}

function securityHeaders(ssl: boolean): [string, string, string][] {
  return [
    ...(ssl ? [["Strict-Transport-Security", "max-age=31536000", "always"] as [string, string, string]] : []),
    ["X-Content-Type-Options", "nosniff", "always"],
    ["Referrer-Policy", "strict-origin-when-cross-origin", "always"],
    ["X-Frame-Options", "SAMEORIGIN", "always"],
  ];
}

function acmeLocation(v: VirtualHostValue): [string, Block][] {
  return v.acmeRoot === null ? [] : [["/.well-known/acme-challenge/", { root: v.acmeRoot, auth_basic: "off" }]];
}

function listenDirectives(v: VirtualHostValue, ssl: boolean): Entry[] {
  return listeners(v)
    .filter((l) => l.ssl === ssl)
    .map((l) => [
      `${l.address}:${l.port}`,
      ...(ssl ? ["ssl"] : []),
      ...(ssl && v.http2 ? ["http2"] : []),
      ...(v.default ? ["default_server"] : []),
    ]);
}

/** The server blocks of one virtual host: its content on HTTP and/or HTTPS, or a redirect on HTTP. */
function renderServers(name: string, v: VirtualHostValue, cfg: NginxSettings): Block[] {
  const names = [serverNames(name, v)];
  const content = (ssl: boolean): Block => {
    const locations = Object.entries(v.locations)
      .sort(([a, x], [b, y]) => x.priority - y.priority || (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, l]): Entry => [...locationMatch(key), renderLocation(l, cfg.recommendedProxySettings)]);
    const b: Record<string, unknown> = { listen: listenDirectives(v, ssl), server_name: names };
    if (ssl) {
      b.ssl_certificate = v.sslCertificate ?? "";
      b.ssl_certificate_key = v.sslCertificateKey ?? "";
    }
    if (v.root !== null) b.root = v.root;
    if (v.clientMaxBodySize !== null) b.client_max_body_size = v.clientMaxBodySize;
    if (cfg.securityHeaders) b.add_header = securityHeaders(ssl);
    const all = [...(ssl ? [] : acmeLocation(v)), ...locations];
    if (all.length) b.location = all as Entry[];
    return appendBlock(b, v.extraConfig);
  };
  const servers: Block[] = [];
  if (v.forceSSL) {
    servers.push({
      listen: listenDirectives(v, false),
      server_name: names,
      location: [...acmeLocation(v), ["/", { return: [[301, "https://$host$request_uri"]] }]],
    });
  } else if (!v.onlySSL) servers.push(content(false));
  if (hasSSL(v)) servers.push(content(true));
  return servers;
}

const mozillaIntermediateCiphers =
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

/** The whole nginx.conf, as a block for formats.nginx. */
export function renderConfig(cfg: NginxSettings): Block {
  const http: Record<string, unknown> = {
    include: "/etc/nginx/mime.types",
    default_type: "application/octet-stream",
    access_log: "/var/log/nginx/access.log",
    server_tokens: "off",
    client_max_body_size: cfg.clientMaxBodySize,
    // What a websocket location sends as Connection: upgrade when the client asked for one.
    map: [["$http_upgrade", "$connection_upgrade", { default: "upgrade", "": "close" }]],
  };
  if (cfg.recommendedOptimisation)
    Object.assign(http, { sendfile: true, tcp_nopush: true, tcp_nodelay: true, keepalive_timeout: 65, types_hash_max_size: 4096 });
  if (cfg.recommendedTlsSettings)
    Object.assign(http, {
      ssl_protocols: [["TLSv1.2", "TLSv1.3"]],
      ssl_ciphers: mozillaIntermediateCiphers,
      ssl_prefer_server_ciphers: false,
      ssl_session_timeout: "1d",
      ssl_session_cache: "shared:SSL:10m",
      ssl_session_tickets: false,
    });
  if (cfg.recommendedGzipSettings)
    Object.assign(http, {
      gzip: true,
      gzip_vary: true,
      gzip_proxied: "any",
      gzip_comp_level: 5,
      gzip_min_length: 256,
      gzip_types: [
        [
          "application/atom+xml",
          "application/javascript",
          "application/json",
          "application/xml",
          "application/rss+xml",
          "image/svg+xml",
          "text/css",
          "text/javascript",
          "text/plain",
          "text/xml",
        ],
      ],
    });
  if (cfg.recommendedProxySettings)
    Object.assign(http, {
      proxy_redirect: "off",
      proxy_connect_timeout: "60s",
      proxy_send_timeout: "60s",
      proxy_read_timeout: "60s",
      proxy_http_version: "1.1",
    });
  const servers: Block[] = [];
  if (cfg.statusPage)
    servers.push({
      listen: ["0.0.0.0:80", "[::]:80"],
      server_name: "localhost",
      location: [["=", "/nginx_status", { stub_status: true, access_log: "off", allow: ["127.0.0.1", "::1"], deny: "all" }]],
    });
  for (const [name, v] of Object.entries(cfg.virtualHosts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    servers.push(...renderServers(name, v, cfg));
  if (servers.length) http.server = servers;
  const main: Record<string, unknown> = {
    user: cfg.user,
    worker_processes: "auto",
    pid: pidFile,
    error_log: "/var/log/nginx/error.log",
    events: { worker_connections: 768 },
  };
  return appendBlock({ ...main, http: appendBlock(http, cfg.appendHttpConfig) }, cfg.appendConfig);
}

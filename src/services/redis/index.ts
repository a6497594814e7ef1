// Redis servers from Debian's redis-server binary, one unit per server as in NixOS:
// services.redis.servers.<name> runs as redis-<name>.service; the server named "" (NixOS's default
// one) is Debian's own redis-server.service. The packaged server, which the package starts on
// 127.0.0.1:6379, is replaced by Roost's unit of the same name: the "" server, or else a unit that
// runs nothing, so that no server but the declared ones holds a port.
//
// Consumers of the unix socket join the group redis (users.users.<name>.extraGroups); consumers
// start after `redisUnit(name)`.
import {
  defineModule,
  enableOption,
  execLine,
  mkDefault,
  mkIf,
  mkMerge,
  option,
  secret,
  servicePort,
  servicePortOptions,
  types as t,
  type SecretRef,
} from "roost";
import { type Arg, renderConf, settingsType } from "./conf.ts";

/** The unit of the server named `name`: redis-<name>.service, and redis-server.service for "". */
export function redisUnit(name: string): string {
  return `${unitBase(name)}.service`;
}
const unitBase = (name: string) => (name === "" ? "redis-server" : `redis-${name}`);

const ipAddress = t.strMatching(/^([0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)$/, "IP address");
const serverName = t.strMatching(/^([a-z0-9][a-z0-9_-]{0,40})?$/, 'server name (lower case, digits, _ and -; "" for the default server)');
/** Directives the typed options write; settings must not set them a second time. */
const ownDirectives = ["port", "bind", "unixsocket", "unixsocketperm", "requirepass", "dir", "include", "daemonize", "supervised"];

const server = t.submodule({
  config: ({ name }) => ({ port: mkDefault(name === "" ? 6379 : 0), unixSocket: mkDefault(`/run/${unitBase(name)}/redis.sock`) }),
  options: {
    enable: enableOption("this Redis server"),
    port: option({
      type: t.port,
      description: "The TCP port; 0 for none (the unix socket only).",
      defaultText: '6379 for the server named "", else 0',
    }),
    bind: option({
      type: t.listOf(ipAddress),
      default: ["127.0.0.1"],
      description: "Addresses to accept TCP connections on; 0.0.0.0 and :: mean every address. Local only by default.",
    }),
    unixSocket: option({
      type: t.nullOr(t.path),
      description: "The unix socket, or null for none.",
      defaultText: "/run/redis-<name>/redis.sock",
    }),
    unixSocketPerm: option({
      type: t.strMatching(/^[0-7]{3}$/, 'octal permissions such as "660"'),
      default: "660",
      description: "Permissions of the unix socket (owner and group redis).",
    }),
    databases: option({ type: t.ints.positive, default: 16, description: "Number of databases." }),
    maxclients: option({ type: t.ints.positive, default: 10000, description: "Most clients connected at once." }),
    save: option({
      type: t.listOf(t.listOf(t.ints.unsigned)),
      default: [
        [900, 1],
        [300, 10],
        [60, 10000],
      ],
      description: "Snapshot after [seconds, changes]; an empty list turns snapshots off.",
    }),
    appendOnly: option({ type: t.bool, default: false, description: "Log every write to an append-only file as well." }),
    logLevel: option({ type: t.enumOf(["debug", "verbose", "notice", "warning"]), default: "notice", description: "How much it logs." }),
    maxmemory: option({
      type: t.nullOr(t.bytes),
      default: null,
      description: 'Memory limit (bytes, or a string such as "256M"); null: none.',
    }),
    maxmemoryPolicy: option({
      type: t.nullOr(
        t.enumOf([
          "noeviction",
          "allkeys-lru",
          "allkeys-lfu",
          "allkeys-random",
          "volatile-lru",
          "volatile-lfu",
          "volatile-random",
          "volatile-ttl",
        ]),
      ),
      default: null,
      description: "What it evicts at maxmemory; null: Redis's default (noeviction).",
    }),
    requirePassSecret: option({
      type: t.nullOr(t.secretRef),
      default: null,
      description:
        "Clients must AUTH with this secret's value. It reaches the server through a file written at start from the decrypted secret, never through the generation.",
      example: { secret: "redis_password" },
    }),
    settings: option({
      type: settingsType,
      default: {},
      description: "More redis.conf directives, in Redis's own names; a list is several arguments on one line.",
      example: { "tcp-keepalive": 60, "notify-keyspace-events": "Ex" },
    }),
    ...servicePortOptions(),
  },
});

export const redis = defineModule({
  name: "redis",
  options: {
    services: {
      redis: {
        package: option({ type: t.pkg, default: "redis-server", description: "The Debian package of the server." }),
        servers: option({
          type: t.attrsOf(server, serverName),
          default: {},
          description: 'Redis servers, by name; "" is the default one (redis-server.service, port 6379).',
          example: {
            "": { enable: true },
            cache: { enable: true, port: 6380, maxmemory: "256M", requirePassSecret: secret("cache_password") },
          },
        }),
      },
    },
  },
  config: ({ config }) => {
    const cfg = config.services.redis;
    const servers = Object.entries(cfg.servers).filter(([, s]) => s.enable);
    const units = Object.fromEntries(servers.map(([name, s]) => [unitBase(name), serverUnit(name, s)]));
    const defaultReplaced = servers.some(([name]) => name === "");
    // Each server with a TCP port: its listeners, its firewall openings, and the loopback-only check.
    const exposed = servers
      .filter(([, s]) => s.port !== 0)
      .map(([name, s]) =>
        servicePort(unitBase(name), {
          port: s.port,
          addresses: s.bind,
          option: ["services", "redis", "servers", name, "port"],
          addressesOption: ["services", "redis", "servers", name, "bind"],
          openFirewall: s.openFirewall,
          allowedSources: s.allowedSources,
        }),
      );
    return mkIf(servers.length > 0, {
      packages: [cfg.package],
      files: Object.fromEntries(
        servers.map(([name, s]) => [confPath(name), { text: serverConf(name, s), owner: "redis", group: "redis", mode: "0640" }]),
      ),
      secrets: Object.fromEntries(
        servers
          .filter(([, s]) => s.requirePassSecret !== null)
          .map(([name, s]) => [passwordOutput(name), { secret: s.requirePassSecret as SecretRef, owner: "redis", mode: "0400" }]),
      ),
      systemd: {
        services: {
          ...units,
          ...(defaultReplaced
            ? {}
            : {
                "redis-server": {
                  description: "Debian's default Redis server, not used: Roost runs services.redis.servers as redis-<name>.service",
                  wantedBy: ["multi-user.target"],
                  serviceConfig: { Type: "oneshot", RemainAfterExit: true, ExecStart: ["/bin/true"] },
                },
              }),
        },
      },
      networking: mkMerge(exposed.map((p) => p.networking)),
      healthChecks: Object.fromEntries(
        servers.map(([name, s]) => [
          unitBase(name),
          s.port !== 0
            ? {
                type: "tcp",
                host: s.bind[0] === "0.0.0.0" || s.bind[0] === "::" || s.bind.length === 0 ? "127.0.0.1" : s.bind[0]!,
                port: s.port,
              }
            : { type: "unit", unit: redisUnit(name) },
        ]),
      ),
      assertions: [
        ...exposed.flatMap((p) => p.assertions),
        ...servers.flatMap(([name, s]) => {
          const path = ["services", "redis", "servers", name];
          return [
            {
              assertion: name !== "server",
              message: 'services.redis.servers.server: the unit redis-server.service belongs to the server named ""; choose another name',
              options: [path],
            },
            {
              assertion: s.port !== 0 || s.unixSocket !== null,
              message: `services.redis.servers.${JSON.stringify(name)}: with port 0 and no unixSocket, nothing can reach the server`,
              options: [
                [...path, "port"],
                [...path, "unixSocket"],
              ],
            },
            ...ownDirectives
              .filter((k) => k in s.settings)
              .map((k) => ({
                assertion: false,
                message: `services.redis.servers.${JSON.stringify(name)}.settings.${k}: written from the server's typed options; set those instead`,
                options: [[...path, "settings", k]],
              })),
          ];
        }),
      ],
    });
  },
});

type ServerConfig = {
  port: number;
  bind: readonly string[];
  unixSocket: string | null;
  unixSocketPerm: string;
  databases: number;
  maxclients: number;
  save: readonly (readonly number[])[];
  appendOnly: boolean;
  logLevel: string;
  maxmemory: number | null;
  maxmemoryPolicy: string | null;
  requirePassSecret: SecretRef | null;
  settings: Readonly<Record<string, Arg | readonly Arg[]>>;
};

const confPath = (name: string) => `/etc/redis/${unitBase(name)}.conf`;
const runtimeDir = (name: string) => `/run/${unitBase(name)}`;
const passwordOutput = (name: string) => `${unitBase(name)}-password`;

function serverConf(name: string, s: ServerConfig): string {
  const lines: [string, Arg | readonly Arg[]][] = [
    ["daemonize", false],
    ["supervised", "systemd"],
    ["port", s.port],
    ["bind", s.bind],
    ...(s.unixSocket === null
      ? []
      : ([
          ["unixsocket", s.unixSocket],
          ["unixsocketperm", s.unixSocketPerm],
        ] as [string, Arg][])),
    ["dir", `/var/lib/${unitBase(name)}`],
    ["logfile", ""],
    ["loglevel", s.logLevel],
    ["databases", s.databases],
    ["maxclients", s.maxclients],
    ...(s.save.length === 0 ? ([["save", ""]] as [string, Arg][]) : s.save.map((pair): [string, Arg[]] => ["save", [...pair]])),
    ["appendonly", s.appendOnly],
    ...(s.maxmemory === null ? [] : ([["maxmemory", s.maxmemory]] as [string, Arg][])),
    ...(s.maxmemoryPolicy === null ? [] : ([["maxmemory-policy", s.maxmemoryPolicy]] as [string, Arg][])),
    ...Object.entries(s.settings),
    // Last, so that nothing above can unset it.
    ...(s.requirePassSecret === null ? [] : ([["include", `${runtimeDir(name)}/auth.conf`]] as [string, Arg][])),
  ];
  return `# Written by Roost from services.redis.servers.${JSON.stringify(name)}.\n${renderConf(lines)}`;
}

/**
 * The password reaches redis.conf's syntax at start, on the host: the decrypted secret, its \ and "
 * escaped, into a file only redis reads. A password with a line break or a control character is
 * refused there (Redis would read it as two lines).
 */
function authScript(name: string): string {
  const secretFile = `/run/roost/secrets/${passwordOutput(name)}`;
  const auth = `${runtimeDir(name)}/auth.conf`;
  return [
    `if [ "$(wc -l < ${secretFile})" != 0 ] || grep -q '[[:cntrl:]]' ${secretFile}; then`,
    `  echo "the password of services.redis.servers.${name} has a line break or a control character" >&2`,
    "  exit 1",
    "fi",
    "umask 077",
    `{ printf 'requirepass "'; sed 's/[\\\\"]/\\\\&/g' ${secretFile}; printf '"\\n'; } > ${auth}`,
  ].join("\n");
}

function serverUnit(name: string, s: ServerConfig) {
  const base = unitBase(name);
  const socketDir = s.unixSocket?.slice(0, s.unixSocket.lastIndexOf("/")) ?? null;
  return {
    description: `Redis server services.redis.servers.${JSON.stringify(name)}`,
    documentation: ["man:redis-server(1)"],
    after: ["network.target"],
    wantedBy: ["multi-user.target"],
    secrets: s.requirePassSecret === null ? [] : [passwordOutput(name)],
    preStart: s.requirePassSecret === null ? null : authScript(name),
    serviceConfig: {
      Type: "notify" as const,
      ExecStart: [execLine(["/usr/bin/redis-server", confPath(name)])],
      User: "redis",
      Group: "redis",
      RuntimeDirectory: [base],
      RuntimeDirectoryMode: "0750",
      StateDirectory: [base],
      StateDirectoryMode: "0700",
      ReadWritePaths: socketDir !== null && socketDir !== runtimeDir(name) ? [socketDir] : [],
      UMask: "0077",
      Restart: "always" as const,
      LimitNOFILE: 65535,
      NoNewPrivileges: true,
      PrivateTmp: true,
      PrivateDevices: true,
      ProtectSystem: "strict" as const,
      ProtectHome: "yes" as const,
      ProtectKernelTunables: true,
      ProtectKernelModules: true,
      ProtectControlGroups: true,
      RestrictRealtime: true,
      RestrictNamespaces: true,
      LockPersonality: true,
      MemoryDenyWriteExecute: true,
      SystemCallArchitectures: "native",
      RestrictAddressFamilies: ["AF_INET", "AF_INET6", "AF_UNIX"],
    },
  };
}

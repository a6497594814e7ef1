// Grafana Alloy on every host that sets it up: node metrics to remote_write, an OTLP/HTTP receiver
// batching to N exporters (each with its own retry and queue: one unreachable destination never
// holds up another), the journal with host and unit labels to Loki. config.alloy is rendered from a
// typed model (formats.alloy); `roost check` refuses a reference to a component the file lacks.
import { type AlloyBody, defineModule, type SecretRef, execLine, mkIf, readAlloy, unresolvedReferences } from "roost";
import { alloyFormat, alloyOptions } from "./options.ts";
import { alloyModel, configFile, stateDir, tokenOutput, unitLabel } from "./render.ts";

export { alloyModel, alloyOtlpUrl, alloyRuns, configFile, tokenOutput, unitLabel } from "./render.ts";
export { alloyFormat } from "./options.ts";

const zip = "/opt/roost-downloads/alloy-linux-amd64.zip";
const installDir = "/opt/alloy";
const settingsPath = ["services", "alloy", "settings"];

/** The attribute paths under a body where `{ $ref: ref }` stands (the place to point an error at). */
function referencePaths(body: AlloyBody, ref: string, at: string[] = []): string[][] {
  const holds = (value: unknown): boolean =>
    Array.isArray(value)
      ? value.some(holds)
      : typeof value === "object" && value !== null
        ? (value as { $ref?: unknown }).$ref === ref || Object.values(value).some(holds)
        : false;
  return Object.entries(body).flatMap(([key, value]) => {
    const isBlock = (x: unknown) =>
      typeof x === "object" && x !== null && !Array.isArray(x) && !Object.keys(x).some((k) => k.startsWith("$"));
    if (isBlock(value)) return referencePaths(value as AlloyBody, ref, [...at, key]);
    if (Array.isArray(value) && value.length > 0 && value.every(isBlock)) return value.flatMap((b) => referencePaths(b, ref, [...at, key]));
    return holds(value) ? [[...at, key]] : [];
  });
}

export const alloy = defineModule({
  name: "alloy",
  options: { services: { alloy: alloyOptions } },
  config: ({ config }) => {
    const cfg = config.services.alloy;
    const text = () => alloyFormat.generate(cfg.settings);
    const fromApt = cfg.aptKey !== null;
    const fromRelease = cfg.release !== null;
    const binary = fromApt ? "/usr/bin/alloy" : `${installDir}/alloy-linux-amd64`;
    const secrets: Record<string, { secret: SecretRef; owner: string; group: string; mode: string }> = {};
    const addSecret = (output: string, secret: SecretRef | null) => {
      if (secret !== null) secrets[output] = { secret, owner: "alloy", group: "alloy", mode: "0400" };
    };
    for (const [name, e] of Object.entries(cfg.remoteWrite)) addSecret(tokenOutput.remoteWrite(name), e.bearerTokenSecret);
    if (cfg.otlp.enable) for (const [name, e] of Object.entries(cfg.otlp.exporters)) addSecret(tokenOutput.otlp(name), e.bearerTokenSecret);
    if (cfg.logs.lokiUrl !== null && cfg.logs.journald.enable) addSecret(tokenOutput.loki, cfg.logs.bearerTokenSecret);
    const goMemLimit: Record<string, string> =
      cfg.memoryMax === null ? {} : { GOMEMLIMIT: `${Math.floor((cfg.memoryMax * 0.9) / 1024 ** 2)}MiB` };
    const exec = [
      binary,
      "run",
      `--server.http.listen-addr=${cfg.listenAddress}`,
      `--storage.path=${stateDir}/data`,
      "--disable-reporting",
      ...cfg.extraFlags,
      configFile,
    ];
    const listen = /^(.*):(\d+)$/.exec(cfg.listenAddress)!;
    return mkIf(cfg.enable, {
      services: {
        alloy: {
          settings: alloyModel({
            hostName: config.networking.hostName,
            nodeMetrics: cfg.nodeMetrics,
            remoteWrite: cfg.remoteWrite,
            otlp: cfg.otlp,
            logs: cfg.logs,
          }),
        },
      },
      packages: fromApt ? ["alloy"] : fromRelease ? ["unzip"] : [],
      apt: {
        repositories: mkIf(fromApt, { grafana: { uris: ["https://apt.grafana.com"], suites: ["stable"], key: cfg.aptKey ?? "" } }),
      },
      users: {
        users: { alloy: { isSystemUser: true, group: "alloy", home: stateDir } },
        groups: { alloy: {} },
      },
      directories: { [stateDir]: { owner: "alloy", group: "alloy", mode: "0750" } },
      files: {
        [configFile]: {
          get text() {
            return text();
          },
          group: "alloy",
          mode: "0640",
        },
        ...(fromRelease && !fromApt ? { [zip]: { url: cfg.release!.url, sha256: cfg.release!.sha256 } } : {}),
      },
      secrets,
      systemd: {
        services: mkIf(fromApt || fromRelease, {
          get alloy() {
            return {
              description: "Grafana Alloy: this host's metrics, traces and logs",
              documentation: ["https://grafana.com/docs/alloy/latest/"],
              wantedBy: ["multi-user.target"],
              after: ["network-online.target"],
              wants: ["network-online.target"],
              secrets: Object.keys(secrets),
              environment: goMemLimit,
              serviceConfig: {
                // The zip is unpacked as root before each start: the download is replaced when its sha256 changes.
                ExecStartPre: fromApt ? [] : [execLine(["+/usr/bin/unzip", "-o", "-q", zip, "-d", installDir])],
                ExecStart: [execLine(exec)],
                User: "alloy",
                Group: "alloy",
                // The journal's files are readable by this group.
                SupplementaryGroups: ["systemd-journal"],
                StateDirectory: ["alloy"],
                Restart: "always" as const,
                RestartSec: 5,
                ...(cfg.memoryMax === null ? {} : { MemoryMax: cfg.memoryMax }),
                NoNewPrivileges: true,
                ProtectSystem: "strict" as const,
                ProtectHome: "yes" as const,
                PrivateTmp: true,
              },
              restartTriggers: [text(), cfg.release?.sha256 ?? ""],
            };
          },
        }),
      },
      networking: {
        ports: {
          alloy: { port: Number(listen[2]), address: listen[1]!.replace(/^\[|\]$/g, ""), option: ["services", "alloy", "listenAddress"] },
          ...(cfg.otlp.enable && Object.keys(cfg.otlp.exporters).length > 0
            ? { "alloy-otlp-http": { port: cfg.otlp.port, address: cfg.otlp.listenAddress, option: ["services", "alloy", "otlp", "port"] } }
            : {}),
        },
      },
      healthChecks: mkIf(fromApt || fromRelease, {
        alloy: { type: "http" as const, url: `http://${cfg.listenAddress}/-/ready`, expectBody: "ready" },
      }),
      get assertions() {
        const reading = readAlloy(text());
        return [
          {
            assertion: !(fromApt && fromRelease),
            message: "services.alloy: set aptKey or release, not both",
            options: [
              ["services", "alloy", "aptKey"],
              ["services", "alloy", "release"],
            ],
          },
          ...cfg.logs.journald.units
            .filter((u, i, all) => all.findIndex((o) => unitLabel(o) === unitLabel(u)) !== i)
            .map((u) => ({
              assertion: false,
              message: `services.alloy.logs.journald.units: ${u} is listed twice, or under a name that differs only in - . @ (its component would be ${unitLabel(u)} twice)`,
              options: [["services", "alloy", "logs", "journald", "units"]],
            })),
          ...unresolvedReferences(reading).map((r) => ({
            assertion: false,
            message: `services.alloy.settings: ${r.ref} (line ${r.line} of ${configFile}) names no component declared in the configuration; declared: ${reading.components.map((c) => c.id).join(", ")}`,
            options: referencePaths(cfg.settings, r.ref).map((p) => [...settingsPath, ...p]),
          })),
        ];
      },
      get warnings() {
        return fromApt || fromRelease
          ? []
          : [
              "services.alloy: neither aptKey nor release is set, so Alloy is not installed and does not run (its configuration is still rendered and checked)",
            ];
      },
    });
  },
});

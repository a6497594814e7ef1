// Metrics and alerts for the whole fleet. One switch per role: monitoring.server.enable on the
// central host, and every host of the fleet is an agent (monitoring.agent.enable, on by default
// once some host is the server). Agents find the server, and the server learns every agent's name
// and token, through nodes. Declare the module fleet-wide:
//
//   defineFleet({ modules: [monitoring], hosts: { mon: host({ …, config: { monitoring: { server: { enable: true, domain: "metrics.example.org", mail: { … } } } } }), … } })
import { defineModule, mkDefault, mkMerge } from "roost";
import { acme } from "roost/services/acme";
import { nginx } from "roost/services/nginx";
import { nodeExporter } from "roost/services/node-exporter";
import { scrapeTargets } from "roost/services/scrape-targets";
import { healthMetricsScript, hostsFile, hostsFileText, scrapeConfig, scrapeFile, tokenOutput, vmagentPort, vmagentUnit } from "./agent.ts";
import { alertRules, alertRulesOption } from "./alert-rules.ts";
import { agents, findServer, serverNames, tokenHolders } from "./fleet.ts";
import { hostRules, nodeRules } from "./fleet-rules.ts";
import { ingestLocations, ingestMaps, relayRelabeling, tokenMapOutput, tokenMapTemplate } from "./ingest.ts";
import {
  logsLocation,
  logsMap,
  logsOptions,
  remotePorts,
  remoteRoot,
  remoteUnit,
  remoteHealthCheck,
  remoteUnitName,
  uploadAuthOutput,
  uploadAuthTemplate,
  uploadServer,
  uploadTargetFile,
  uploadTargetText,
  uploadHealthCheck,
  uploadUnit,
  uploadUnitName,
  vacuumScript,
} from "./logs.ts";
import { agentOptions, monitoringDefaults, prometheusYaml, serverOptions } from "./options.ts";
import { ruleFile, ruleTestFile, untestedRules, type AlertRuleGroups } from "./render-rules.ts";
import {
  alertmanagerConfig,
  alertmanagerFile,
  alertmanagerUnit,
  idleVictoriaMetricsUnit,
  prometheusConfig,
  prometheusFile,
  prometheusUnit,
  relabelFile,
  relayUnit,
  rulesFile,
  rulesTestFile,
  smtpPasswordOutput,
  victoriaMetricsUnit,
  vmalertUnit,
} from "./server.ts";

export { alertRules, alertName, groupName, labelName, severities, type Severity } from "./alert-rules.ts";
export { promDuration } from "./duration.ts";
export { promql, promqlProblem } from "./promql.ts";
export { rulesFile, rulesTestFile, alertmanagerFile } from "./server.ts";
export { hostsFile, tokenOutput } from "./agent.ts";

type Json = Parameters<typeof prometheusYaml.generate>[0];

/** node_exporter 1.5's default --collector.filesystem.fs-types-exclude, less overlay. */
const pseudoFilesystems =
  "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";

export const monitoring = defineModule({
  name: "monitoring",
  imports: [monitoringDefaults, alertRules, scrapeTargets, nodeExporter, nginx, acme],
  options: { monitoring: { server: serverOptions, agent: agentOptions, logs: logsOptions, alertRules: alertRulesOption } },
  config: ({ config, nodes, name }) => {
    const server = config.monitoring.server;
    const agent = config.monitoring.agent;
    const exporter = config.services.nodeExporter;
    const password = server.mail.passwordSecret;
    const logs = config.monitoring.logs;
    const fleetHosts = Object.keys(nodes).sort();
    const amText = () =>
      prometheusYaml.generate(
        deepMerge(
          alertmanagerConfig(
            { ...server.mail, hasPassword: password !== null },
            { ...server.alertmanager, repeatInterval: server.alertmanager.repeatInterval },
          ) as Json,
          server.alertmanager.settings,
        ),
      );
    const allRules = (): AlertRuleGroups => {
      const merged: Record<string, Record<string, AlertRuleGroups[string][string]>> = {};
      for (const n of Object.keys(nodes).sort()) {
        const groups: AlertRuleGroups = nodes[n]!.config.monitoring?.alertRules ?? {};
        for (const [g, rules] of Object.entries(groups)) Object.assign((merged[g] ??= {}), rules);
      }
      return merged;
    };
    const vm = server.backend === "victoriametrics";
    const prometheusText = prometheusYaml.generate(prometheusConfig(server) as Json);
    // Every host of the fleet by name: names need no evaluation of other hosts, so units may read them.
    const relabelText = prometheusYaml.generate(relayRelabeling(Object.keys(nodes).sort()) as Json);
    const scrapeText = () =>
      prometheusYaml.generate(scrapeConfig(config.monitoring.scrapeTargets, agent.scrapeInterval, agent.scrapeConfigs as Json[]) as Json);
    const rulesText = () => prometheusYaml.generate(ruleFile(allRules(), server.evaluationInterval) as Json);
    // What reads other hosts is a getter, and only where no module reads it while modules run: file
    // texts, secret templates, rules and assertions (and the vmagent unit, which reads no addresses).
    return mkMerge([
      agent.enable
        ? {
            packages: ["victoria-metrics"],
            users: { users: { vmagent: { isSystemUser: true, group: "vmagent" } }, groups: { vmagent: {} } },
            services: {
              nodeExporter: {
                enable: mkDefault(true),
                // Exporters are scraped by the local vmagent: nothing else needs their ports.
                listenAddress: mkDefault("127.0.0.1"),
                // node_exporter's default type exclusions without overlay: a root on overlay (a container's, a
                // live system's) is the host's disk; image layers stay out by the default mount point exclusions.
                extraFlags: ["--collector.systemd.enable-restarts-metrics", `--collector.filesystem.fs-types-exclude=${pseudoFilesystems}`],
              },
            },
            secrets: { [tokenOutput]: { secret: agent.tokenSecret, owner: "vmagent", group: "vmagent", mode: "0400" } },
            files: {
              [scrapeFile]: {
                get text() {
                  return scrapeText();
                },
              },
              [hostsFile]: {
                get text() {
                  const s = findServer(nodes);
                  return s === null ? "127.0.0.1 localhost\n" : hostsFileText(s);
                },
              },
            },
            systemd: {
              services: {
                get vmagent() {
                  const s = findServer(nodes, { withAddress: false });
                  return vmagentUnit(s ?? { name: "", domain: "monitoring.invalid", address: undefined }, agent, scrapeText());
                },
                "victoria-metrics": mkDefault(idleVictoriaMetricsUnit()),
                ...(agent.healthChecks
                  ? {
                      "roost-health-metrics": {
                        description: "Roost health checks as metrics for node_exporter",
                        script: healthMetricsScript(exporter.textfileDirectory),
                        serviceConfig: { Type: "oneshot" },
                        startAt: ["*:*:00"],
                      },
                    }
                  : {}),
              },
            },
            networking: { ports: { vmagent: { port: vmagentPort, address: "127.0.0.1", option: ["monitoring", "agent", "enable"] } } },
            healthChecks: { vmagent: { type: "http" as const, url: `http://127.0.0.1:${vmagentPort}/health`, expectBody: "OK" } },
            get assertions() {
              const servers = serverNames(nodes);
              return [
                {
                  assertion: servers.length > 0,
                  message: `monitoring.agent.enable is true on ${name}, but no host of the fleet has monitoring.server.enable`,
                  options: [["monitoring", "agent", "enable"]],
                },
                {
                  assertion: !agent.resolveServer || servers.length === 0 || findServer(nodes)!.address !== undefined,
                  message: `monitoring.agent.resolveServer: the monitoring server ${servers[0]} has no networking.addresses`,
                  options: [["monitoring", "agent", "resolveServer"]],
                },
              ];
            },
          }
        : {},
      logs.enable
        ? {
            packages: ["systemd-journal-remote"],
            secrets: {
              [uploadAuthOutput]: {
                get template() {
                  return uploadAuthTemplate(agent.tokenSecret);
                },
              },
            },
            files: {
              [uploadTargetFile]: {
                get text() {
                  return uploadTargetText(findServer(nodes), agent.resolveServer);
                },
              },
            },
            systemd: {
              services: {
                [uploadUnitName]: uploadUnit(logs),
                nginx: { secrets: [uploadAuthOutput], onSecretChange: "reload" as const },
              },
            },
            services: {
              nginx: {
                enable: true,
                appendHttpConfig: uploadServer(
                  findServer(nodes, { withAddress: false })?.domain ?? "monitoring.invalid",
                  logs,
                  agent.tlsCAFile,
                ),
              },
            },
            networking: {
              ports: { "journal-upload": { port: logs.uploadPort, address: "127.0.0.1", option: ["monitoring", "logs", "uploadPort"] } },
            },
            healthChecks: { "journal-upload": uploadHealthCheck() },
          }
        : {},
      server.enable && logs.enable
        ? {
            systemd: {
              services: {
                ...Object.fromEntries(
                  Object.entries(remotePorts(fleetHosts, logs.remotePortBase)).map(([h, port]) => [remoteUnitName(h), remoteUnit(h, port)]),
                ),
                "roost-journal-vacuum": {
                  description: "Keep each host's stored journal within its size and age",
                  script: vacuumScript(logs),
                  serviceConfig: { Type: "oneshot" },
                  startAt: ["hourly"],
                },
              },
            },
            directories: { [remoteRoot]: { owner: "systemd-journal-remote", group: "systemd-journal-remote", mode: "0750" } },
            services: {
              nginx: {
                appendHttpConfig: logsMap(fleetHosts, logs.remotePortBase),
                virtualHosts: { [server.domain]: { locations: logsLocation() } },
              },
            },
            networking: {
              ports: Object.fromEntries(
                Object.entries(remotePorts(fleetHosts, logs.remotePortBase)).map(([h, port]) => [
                  remoteUnitName(h),
                  { port, address: "127.0.0.1", option: ["monitoring", "logs", "remotePortBase"] },
                ]),
              ),
            },
            healthChecks: Object.fromEntries(
              Object.entries(remotePorts(fleetHosts, logs.remotePortBase)).map(([h, port]) => [remoteUnitName(h), remoteHealthCheck(port)]),
            ),
          }
        : {},
      server.enable
        ? {
            packages: ["victoria-metrics", "prometheus-alertmanager", ...(vm ? [] : ["prometheus"])],
            monitoring: {
              alertRules: mkMerge([
                nodeRules,
                {
                  get hosts() {
                    return hostRules(agents(nodes), server.hostDownAfter).hosts ?? {};
                  },
                },
              ]),
              agent: {
                scrapeConfigs: [
                  ...(vm
                    ? [
                        { job_name: "victoria-metrics", static_configs: [{ targets: [`127.0.0.1:${server.port}`] }] },
                        { job_name: "vmalert", static_configs: [{ targets: [`127.0.0.1:${server.vmalertPort}`] }] },
                      ]
                    : [
                        { job_name: "prometheus", static_configs: [{ targets: [`127.0.0.1:${server.port}`] }] },
                        { job_name: "vmagent-relay", static_configs: [{ targets: [`127.0.0.1:${server.relayPort}`] }] },
                      ]),
                  { job_name: "alertmanager", static_configs: [{ targets: [`127.0.0.1:${server.alertmanager.port}`] }] },
                ],
              },
            },
            directories: {
              ...(vm
                ? { "/var/lib/victoria-metrics": { owner: "_victoria-metrics", group: "_victoria-metrics", mode: "0750" } }
                : { "/var/lib/prometheus/metrics2": { owner: "prometheus", group: "prometheus", mode: "0750" } }),
              "/var/lib/prometheus/alertmanager": { owner: "prometheus", group: "prometheus", mode: "0750" },
            },
            files: {
              [rulesFile]: {
                get text() {
                  return rulesText();
                },
              },
              [rulesTestFile]: {
                get text() {
                  return prometheusYaml.generate(ruleTestFile(allRules(), "rules.yml", server.evaluationInterval) as Json);
                },
              },
              ...(vm ? {} : { [prometheusFile]: { text: prometheusText }, [relabelFile]: { text: relabelText } }),
              [alertmanagerFile]: {
                get text() {
                  return amText();
                },
                group: "prometheus",
                mode: "0640",
              },
            },
            secrets: {
              [tokenMapOutput]: {
                get template() {
                  return tokenMapTemplate(tokenHolders(nodes));
                },
              },
              ...(password === null
                ? {}
                : { [smtpPasswordOutput]: { secret: password, owner: "prometheus", group: "prometheus", mode: "0400" } }),
            },
            systemd: {
              services: {
                ...(vm
                  ? { "victoria-metrics": victoriaMetricsUnit(server), vmalert: vmalertUnit(server) }
                  : { prometheus: prometheusUnit(server, prometheusText), "vmagent-relay": relayUnit(server, relabelText) }),
                get "prometheus-alertmanager"() {
                  return alertmanagerUnit(server, amText(), password !== null);
                },
                nginx: { secrets: [tokenMapOutput], onSecretChange: "reload" as const },
              },
            },
            services: {
              nginx: {
                enable: true,
                appendHttpConfig: ingestMaps(Object.keys(nodes).sort()),
                virtualHosts: {
                  [server.domain]: {
                    forceSSL: true,
                    enableACME: server.enableACME,
                    locations: ingestLocations(server.backend, vm ? server.port : server.relayPort),
                  },
                },
              },
            },
            networking: {
              ports: {
                [server.backend]: { port: server.port, address: "127.0.0.1", option: ["monitoring", "server", "port"] },
                ...(vm
                  ? { vmalert: { port: server.vmalertPort, address: "127.0.0.1", option: ["monitoring", "server", "vmalertPort"] } }
                  : { "vmagent-relay": { port: server.relayPort, address: "127.0.0.1", option: ["monitoring", "server", "relayPort"] } }),
                alertmanager: {
                  port: server.alertmanager.port,
                  address: "127.0.0.1",
                  option: ["monitoring", "server", "alertmanager", "port"],
                },
              },
            },
            // roost check runs these on the controller when the tools are installed.
            validators: {
              "alert-rules": { command: ["promtool", "check", "rules", rulesFile.slice(1)], package: "prometheus" },
              "alert-rule-tests": { command: ["promtool", "test", "rules", rulesTestFile.slice(1)], package: "prometheus" },
              ...(vm
                ? { "alert-rules-vmalert": { command: ["vmalert", "-dryRun", `-rule=${rulesFile.slice(1)}`], package: "victoria-metrics" } }
                : { "prometheus-config": { command: ["promtool", "check", "config", prometheusFile.slice(1)], package: "prometheus" } }),
              alertmanager: { command: ["amtool", "check-config", alertmanagerFile.slice(1)], package: "prometheus-alertmanager" },
            },
            healthChecks: {
              ...(vm
                ? {
                    "victoria-metrics": { type: "http" as const, url: `http://127.0.0.1:${server.port}/health`, expectBody: "OK" },
                    vmalert: { type: "http" as const, url: `http://127.0.0.1:${server.vmalertPort}/health`, expectBody: "OK" },
                  }
                : {
                    prometheus: { type: "http" as const, url: `http://127.0.0.1:${server.port}/-/ready` },
                    "vmagent-relay": { type: "http" as const, url: `http://127.0.0.1:${server.relayPort}/health`, expectBody: "OK" },
                  }),
              alertmanager: { type: "http" as const, url: `http://127.0.0.1:${server.alertmanager.port}/-/ready` },
            },
            get assertions() {
              const servers = serverNames(nodes);
              const untested = untestedRules(allRules());
              return [
                {
                  assertion: servers.length === 1,
                  message: `monitoring.server.enable: one host of the fleet is the monitoring server, not ${servers.length} (${servers.join(", ")})`,
                  options: [["monitoring", "server", "enable"]],
                },
                {
                  assertion: server.mail.to.length > 0,
                  message: "monitoring.server.mail.to: name at least one address for the alert mails",
                  options: [["monitoring", "server", "mail", "to"]],
                },
                {
                  assertion: untested.length === 0,
                  message: `monitoring.alertRules: every rule needs a promtool test (tests = [...]); none for ${untested.join(", ")}`,
                  options: [["monitoring", "alertRules"]],
                },
              ];
            },
          }
        : {},
    ]);
  },
});

type JsonValue = Json;

/** Objects merge key by key, the second winning; anything else is replaced. */
function deepMerge(a: JsonValue, b: JsonValue): JsonValue {
  if (!isObject(a) || !isObject(b)) return b;
  const out: Record<string, JsonValue> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? deepMerge(out[k]!, v) : v;
  return out;
}

function isObject(v: JsonValue): v is { readonly [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

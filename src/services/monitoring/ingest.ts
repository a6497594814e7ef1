// The ingest endpoint: nginx on the central host maps each agent's bearer token to its host name and
// passes the write to VictoriaMetrics with that name as the host label (extra_label), which replaces
// any host label the agent sent. A missing or unknown token is answered 401.
import type { Agent } from "./fleet.ts";

/** The token → host map: a secret template, so the token values never enter a generation. */
export const tokenMapOutput = "monitoring-ingest-tokens";
export const tokenMapPath = `/run/roost/secrets/${tokenMapOutput}`;

/** One map line per agent. Tokens are written bare inside quotes: they must be letters, digits, _ and - (roost secrets generate writes base64url). */
export function tokenMapTemplate(agents: readonly Agent[]): string {
  return agents.map((a) => `"Bearer {{secret:${a.token.secret}}}" ${a.name};\n`).join("");
}

/** The label that carries a host's name through the Prometheus backend's relay: letters, digits and _ only. */
export function relayLabel(host: string): string {
  return `roost_token_${host.replaceAll("-", "_")}`;
}

/**
 * The nginx http-block maps: $monitoring_host from the Authorization header, whether it is unknown,
 * and (for the prometheus backend) the relay label of each host of the fleet.
 */
export function ingestMaps(hosts: readonly string[]) {
  return {
    map: [
      [
        "$monitoring_host",
        "$monitoring_relay_label",
        { default: "roost_token_unknown", ...Object.fromEntries(hosts.map((h) => [h, relayLabel(h)])) },
      ],
      ["$http_authorization", "$monitoring_host", { default: "", include: tokenMapPath }],
      // nginx never matches a regex against an empty value: a known host matches ".", the rest is the default.
      ["$monitoring_host", "$monitoring_token_unknown", { default: 1, "~.": 0 }],
    ],
  };
}

/**
 * The virtual host's locations: the write path and nothing else. VictoriaMetrics sets host from
 * extra_label, replacing the agent's; the prometheus backend's relay gets roost_token_<host>=1
 * instead (see relayRelabeling).
 */
export function ingestLocations(backend: "victoriametrics" | "prometheus", port: number) {
  const label = backend === "victoriametrics" ? "host=$monitoring_host" : "$monitoring_relay_label=1";
  return {
    "= /api/v1/write": {
      proxyPass: `http://127.0.0.1:${port}/api/v1/write?extra_label=${label}`,
      extraConfig: { if: [["($monitoring_token_unknown)", { return: 401 }]] },
    },
    "/": { return: "404" },
  };
}

/**
 * The relay's relabeling (prometheus backend). vmagent appends extra_label after the agent's own
 * labels, and Prometheus refuses a label twice, so the host cannot simply be overwritten: the agent's
 * host label is dropped, a series that carries two hosts' token labels (the agent added another's)
 * is dropped, and the one token label left names the host.
 */
export function relayRelabeling(hosts: readonly string[]) {
  const labels = hosts.map(relayLabel);
  return [
    { action: "drop", source_labels: labels, separator: ";", regex: ".*1.*1.*" },
    { action: "labeldrop", regex: "host" },
    ...hosts.map((h) => ({ source_labels: [relayLabel(h)], regex: "1", target_label: "host", replacement: h })),
    { action: "drop", source_labels: ["host"], regex: "" },
    { action: "labeldrop", regex: "roost_token_.*" },
  ];
}

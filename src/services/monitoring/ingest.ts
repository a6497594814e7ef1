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

/** The nginx http-block maps: $monitoring_host from the Authorization header, and whether it is unknown. */
export function ingestMaps() {
  return {
    map: [
      ["$http_authorization", "$monitoring_host", { default: "", include: tokenMapPath }],
      // nginx never matches a regex against an empty value: a known host matches ".", the rest is the default.
      ["$monitoring_host", "$monitoring_token_unknown", { default: 1, "~.": 0 }],
    ],
  };
}

/** The virtual host's locations: the write path and nothing else. */
export function ingestLocations(vmPort: number) {
  return {
    "= /api/v1/write": {
      proxyPass: `http://127.0.0.1:${vmPort}/api/v1/write?extra_label=host=$monitoring_host`,
      extraConfig: { if: [["($monitoring_token_unknown)", { return: 401 }]] },
    },
    "/": { return: "404" },
  };
}

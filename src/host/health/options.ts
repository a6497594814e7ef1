import { mkIf, option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";
import { unitRef } from "../systemd/unit-value.ts";

const check = t.submodule({
  options: {
    type: option({ type: t.enumOf(["unit", "tcp", "http"]), description: "unit: a systemd unit is active; tcp: a port accepts connections; http: a URL answers as expected." }),
    unit: option({ type: t.nullOr(unitRef), default: null, description: "For type unit: the unit that must be active." }),
    host: option({ type: t.strMatching(/^[A-Za-z0-9.:-]+$/, "host name or IP address"), default: "127.0.0.1", description: "For type tcp: the address to connect to." }),
    port: option({ type: t.nullOr(t.port), default: null, description: "For type tcp: the port." }),
    url: option({ type: t.nullOr(t.strMatching(/^https?:\/\/[^\s'"\\`$]+$/, "http(s) URL")), default: null, description: "For type http: the URL to fetch (from the host itself)." }),
    expectStatus: option({ type: t.ints.between(100, 599), default: 200, description: "For type http: the status code expected." }),
    expectBody: option({ type: t.nullOr(t.str), default: null, description: "For type http: a string the body must contain." }),
    timeout: option({ type: t.duration, default: 30, description: "How long the check may keep failing after activation before the deploy is rolled back." }),
  },
  validate: (c) => {
    if (c.type === "unit" && c.unit === null) return "a unit check needs unit";
    if (c.type === "tcp" && c.port === null) return "a tcp check needs port";
    if (c.type === "http" && c.url === null) return "an http check needs url";
    return null;
  },
});

export const healthOptions = {
  healthChecks: option({
    type: t.attrsOf(check, t.strMatching(/^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,99}$/, "check name (letters, digits, _ . @ : -)")),
    default: {},
    description: "Checks run after each activation; a failing check rolls the host back to its previous generation.",
    example: { web: { type: "http", url: "http://127.0.0.1/healthz", expectStatus: 200 } },
  }),
} satisfies OptionTree;

export const healthModule = defineHostModule({
  name: "health",
  options: healthOptions,
  // https checks use curl; plain http ones need nothing but bash.
  config: ({ config }) => mkIf(Object.values(config.healthChecks).some((c) => c.url?.startsWith("https://")), { packages: ["curl"] }),
});

import { mkIf, option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";
import { accountName } from "../modes.ts";
import { unitRef } from "../systemd/unit-value.ts";

/** One argument of a check's command: any text but an empty one (the host splits the list on spaces it encodes). */
const argument = t.strSatisfying("command argument", (v) => (v === "" ? "an empty argument cannot be passed" : null));

const check = t.submodule({
  options: {
    type: option({
      type: t.enumOf(["unit", "tcp", "http", "command"]),
      description:
        "unit: a systemd unit is active; tcp: a port accepts connections; http: a URL answers as expected; command: a program exits as expected.",
    }),
    unit: option({ type: t.nullOr(unitRef), default: null, description: "For type unit: the unit that must be active." }),
    host: option({
      type: t.strMatching(/^[A-Za-z0-9.:-]+$/, "host name or IP address"),
      default: "127.0.0.1",
      description: "For type tcp: the address to connect to.",
    }),
    port: option({ type: t.nullOr(t.port), default: null, description: "For type tcp: the port." }),
    url: option({
      type: t.nullOr(t.strMatching(/^https?:\/\/[^\s'"\\`$]+$/, "http(s) URL")),
      default: null,
      description: "For type http: the URL to fetch (from the host itself).",
    }),
    expectStatus: option({ type: t.ints.between(100, 599), default: 200, description: "For type http: the status code expected." }),
    expectBody: option({ type: t.nullOr(t.str), default: null, description: "For type http: a string the body must contain." }),
    command: option({
      type: t.nullOr(t.listOf(argument)),
      default: null,
      description: "For type command: the program (an absolute path) and its arguments, run without a shell.",
      example: ["/usr/bin/pg_isready", "-q"],
    }),
    expectExitCode: option({
      type: t.ints.between(0, 255),
      default: 0,
      description: "For type command: the exit code that means healthy.",
    }),
    user: option({ type: t.nullOr(accountName), default: null, description: "For type command: the user it runs as (null: root)." }),
    timeout: option({
      type: t.duration,
      default: 30,
      description: "How long the check may keep failing after activation before the deploy is rolled back.",
    }),
  },
  validate: (c) => {
    if (c.type === "unit" && c.unit === null) return "a unit check needs unit";
    if (c.type === "tcp" && c.port === null) return "a tcp check needs port";
    if (c.type === "http" && c.url === null) return "an http check needs url";
    if (c.type === "command" && (c.command === null || c.command.length === 0)) return "a command check needs command";
    if (c.type === "command" && !c.command![0]!.startsWith("/"))
      return `a command check's program must be an absolute path, not ${JSON.stringify(c.command![0])}`;
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
  config: ({ config }) =>
    mkIf(
      Object.values(config.healthChecks).some((c) => c.url?.startsWith("https://")),
      { packages: ["curl"] },
    ),
});

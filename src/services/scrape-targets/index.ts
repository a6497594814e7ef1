// The scrape target registry: every module that serves metrics registers its endpoint here, on its
// own host, and a scrape server (roost/services/scrape-server) collects the registrations of the
// whole fleet through `nodes`. Hosts that do not import this module simply have no targets.
import { defineModule, option, types as t } from "roost";

/** A Prometheus label name that is not reserved (`__` names belong to Prometheus itself). */
const labelName = t.strSatisfying("Prometheus label name", (v) =>
  !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)
    ? "it is not letters, digits and _, starting with a letter or _"
    : v.startsWith("__")
      ? "names starting with __ are Prometheus' own"
      : v === "host"
        ? "the host label is set by the scrape server to the host's name"
        : null,
);

/** A job name, as it appears in `job="…"` and in the scrape file. */
export const jobName = t.strMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "job name (letters, digits, _ . -)");

const target = t.submodule({
  options: {
    port: option({ type: t.port, description: "The port the metrics are served on, on the host's first networking.addresses entry." }),
    path: option({ type: t.strMatching(/^\/[A-Za-z0-9_.~/-]*$/, "URL path"), default: "/metrics", description: "The metrics path." }),
    scheme: option({ type: t.enumOf(["http", "https"]), default: "http", description: "How the scrape server connects." }),
    labels: option({
      type: t.attrsOf(t.str, labelName),
      default: {},
      description: "Labels added to every series scraped from this target, beside host.",
      example: { role: "db" },
    }),
  },
});

export const scrapeTargets = defineModule({
  name: "scrape-targets",
  options: {
    monitoring: {
      scrapeTargets: option({
        type: t.attrsOf(target, jobName),
        default: {},
        description: "Metrics endpoints this host serves, by job name; every scrape server of the fleet scrapes them.",
        example: { node: { port: 9100 } },
      }),
    },
  },
});

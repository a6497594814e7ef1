// The fleet's Grafana dashboards, written in TypeScript with @grafana/grafana-foundation-sdk: system
// overview, systemd service health, backups, and one per app that serves metrics. roost/services/grafana
// provisions them; every query is PromQL checked by Prometheus' grammar when the dashboard is built.
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { appDashboard, backups, serviceHealth, systemOverview } from "./dashboards.ts";

export { appDashboard, backups, serviceHealth, systemOverview } from "./dashboards.ts";
export { metricsDatasource } from "./panels.ts";

/** What the dashboards read of a host: the names of its apps that serve metrics. */
interface HostView {
  readonly config: unknown;
}

/** The apps of a host with a metrics path; hosts without the app module have none (reading an option it lacks would throw). */
export function metricsApps(hostConfig: unknown): string[] {
  const config = hostConfig as { services?: { apps?: Record<string, { metricsPath?: unknown }> } };
  const services = "services" in config ? config.services : undefined;
  const apps = services !== undefined && "apps" in services ? (services.apps ?? {}) : {};
  return Object.entries(apps)
    .filter(([, a]) => typeof a?.metricsPath === "string")
    .map(([n]) => n);
}

/** Every dashboard of the fleet by file name (<uid>.json): the fixed ones and one per app with metrics. */
export function fleetDashboards(nodes: Readonly<Record<string, HostView>>): Record<string, Dashboard> {
  const apps = new Set<string>();
  for (const n of Object.keys(nodes).sort()) for (const a of metricsApps(nodes[n]!.config)) apps.add(a);
  const all = [systemOverview(), serviceHealth(), backups(), ...[...apps].sort().map(appDashboard)];
  // Plain JSON: the SDK's objects carry methods, which no file holds.
  return Object.fromEntries(all.map((d) => [`${d.uid}.json`, JSON.parse(JSON.stringify(d)) as Dashboard]));
}

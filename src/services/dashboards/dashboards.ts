// The fleet's dashboards, built with Grafana's foundation SDK. Every panel reads the metrics
// datasource; $host selects hosts (all by default).
import { DashboardBuilder, QueryVariableBuilder, VariableRefresh } from "@grafana/grafana-foundation-sdk/dashboard";
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { metricsDatasource, stat, timeseries } from "./panels.ts";

const h = 'host=~"$host"';
// Real filesystems: not the kernel's, and not container images' mounts (a container's root may be overlay).
const disks = 'fstype!~"tmpfs|ramfs|squashfs|nsfs",mountpoint!~"/(run|dev|sys|proc|var/lib/containers|var/lib/docker)($|/).*"';

function dashboard(uid: string, title: string, tags: string[]) {
  return new DashboardBuilder(title)
    .uid(uid)
    .tags(["roost", ...tags])
    .refresh("1m")
    .time({ from: "now-6h", to: "now" })
    .timezone("browser")
    .withVariable(
      new QueryVariableBuilder("host")
        .label("Host")
        .datasource(metricsDatasource)
        .query("label_values(up, host)")
        .multi(true)
        .includeAll(true)
        .allValue(".*")
        .refresh(VariableRefresh.OnTimeRangeChanged),
    );
}

export function systemOverview(): Dashboard {
  return dashboard("roost-system", "System overview", ["system"])
    .withPanel(
      timeseries(
        "CPU busy",
        "percentunit",
        [{ expr: `1 - avg by (host) (rate(node_cpu_seconds_total{mode="idle",${h}}[5m]))`, legend: "{{host}}" }],
        { x: 0, y: 0 },
      ),
    )
    .withPanel(
      timeseries(
        "Memory used",
        "percentunit",
        [{ expr: `1 - node_memory_MemAvailable_bytes{${h}} / node_memory_MemTotal_bytes{${h}}`, legend: "{{host}}" }],
        { x: 12, y: 0 },
      ),
    )
    .withPanel(
      timeseries(
        "Disk used",
        "percentunit",
        [
          {
            expr: `1 - node_filesystem_avail_bytes{${disks},${h}} / node_filesystem_size_bytes{${disks},${h}}`,
            legend: "{{host}} {{mountpoint}}",
          },
        ],
        { x: 0, y: 8 },
      ),
    )
    .withPanel(
      timeseries(
        "Network",
        "Bps",
        [
          { expr: `sum by (host) (rate(node_network_receive_bytes_total{device!="lo",${h}}[5m]))`, legend: "{{host}} in" },
          { expr: `-sum by (host) (rate(node_network_transmit_bytes_total{device!="lo",${h}}[5m]))`, legend: "{{host}} out" },
        ],
        { x: 12, y: 8 },
      ),
    )
    .withPanel(stat("Uptime", "s", [{ expr: `time() - node_boot_time_seconds{${h}}`, legend: "{{host}}" }], { x: 0, y: 16, w: 24 }))
    .build();
}

export function serviceHealth(): Dashboard {
  return dashboard("roost-systemd", "Systemd service health", ["systemd"])
    .withPanel(
      stat("Failed units", "none", [{ expr: `sum by (host) (node_systemd_unit_state{state="failed",${h}})`, legend: "{{host}}" }], {
        x: 0,
        y: 0,
        w: 24,
      }),
    )
    .withPanel(
      timeseries(
        "Failed units by name",
        "none",
        [{ expr: `node_systemd_unit_state{state="failed",${h}} == 1`, legend: "{{host}} {{name}}" }],
        { x: 0, y: 6 },
      ),
    )
    .withPanel(
      timeseries(
        "Restarts (1h)",
        "none",
        [{ expr: `increase(node_systemd_service_restart_total{${h}}[1h]) > 0`, legend: "{{host}} {{name}}" }],
        { x: 12, y: 6 },
      ),
    )
    .withPanel(
      timeseries("Failing health checks", "none", [{ expr: `roost_health_check_ok{${h}} == 0`, legend: "{{host}} {{check}}" }], {
        x: 0,
        y: 14,
        w: 24,
      }),
    )
    .build();
}

/** One app's dashboard: its scrape job is the app's name (services.apps.<name>.metricsPath). */
export function appDashboard(app: string): Dashboard {
  const j = `job="${app}",${h}`;
  return dashboard(`roost-app-${app}`.slice(0, 40), `App ${app}`, ["app"])
    .withPanel(stat("Up", "none", [{ expr: `up{${j}}`, legend: "{{host}}" }], { x: 0, y: 0, w: 24 }))
    .withPanel(timeseries("CPU", "s", [{ expr: `rate(process_cpu_seconds_total{${j}}[5m])`, legend: "{{host}}" }], { x: 0, y: 6 }))
    .withPanel(
      timeseries("Resident memory", "bytes", [{ expr: `process_resident_memory_bytes{${j}}`, legend: "{{host}}" }], { x: 12, y: 6 }),
    )
    .withPanel(timeseries("Scrape duration", "s", [{ expr: `scrape_duration_seconds{${j}}`, legend: "{{host}}" }], { x: 0, y: 14, w: 24 }))
    .build();
}

export function backups(): Dashboard {
  return dashboard("roost-backups", "Backups", ["backup"])
    .withPanel(
      stat(
        "Age of the last successful backup",
        "s",
        [{ expr: `time() - (restic_last_success_timestamp_seconds{${h}} > 0)`, legend: "{{host}} {{backup}}" }],
        { x: 0, y: 0, w: 24 },
      ),
    )
    .withPanel(
      timeseries(
        "Last success age against the allowed age",
        "percentunit",
        [{ expr: `(time() - restic_last_success_timestamp_seconds{${h}}) / restic_max_age_seconds{${h}}`, legend: "{{host}} {{backup}}" }],
        { x: 0, y: 6, w: 24 },
      ),
    )
    .build();
}

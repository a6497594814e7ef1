// The fleet's own alert rules, each with the promtool test that proves it fires (and only then).
import type { Agent } from "./fleet.ts";
import { promDuration } from "./duration.ts";

/** Filesystems that are not disks: memory, images, the container's own overlay. */
const notDisk = 'fstype!~"tmpfs|ramfs|devtmpfs|squashfs|overlay|nsfs|fuse\\\\..*"';
const disk = `{${notDisk}}`;

interface Expected {
  labels: Record<string, string>;
  summary: string;
  description: string;
}

function test(evalTime: string, inputSeries: { series: string; values: string }[], expectAlerts: Expected[]) {
  return { interval: "1m", evalTime, inputSeries, expectAlerts };
}

/** How far back a host counts as one that reports: one silent for longer is no longer paged. */
const reportedWithin = "7d";

/**
 * HostNotReporting, for the hosts expected to report (intermittent ones are left out) that have
 * reported within the last week: a host of the fleet that never sent anything (not deployed yet) is
 * no outage. One matcher names the fleet's hosts, so the expression does not grow with the fleet.
 */
export function hostRules(all: readonly Agent[], downAfter: number) {
  const hosts = all.filter((a) => !a.intermittent).map((a) => a.name);
  if (hosts.length === 0) return {};
  const window = promDuration(downAfter);
  const summary = "{{ $labels.host }} is not reporting";
  const description = `No metrics from {{ $labels.host }} for ${window}: the host or its vmagent is down, or it cannot reach the monitoring server.`;
  // Host names are letters, digits and -: nothing to escape in the regex.
  const names = hosts.join("|");
  const seen = (range: string) => `max by (host) (present_over_time(up{job="vmagent",host=~"${names}"}[${range}]))`;
  const gone = hosts.at(-1)!;
  // With two hosts or more, the first never reports in the test: it must not fire.
  const neverSeen = hosts.length > 1 ? hosts[0] : undefined;
  const steps = Math.ceil(downAfter / 60);
  return {
    hosts: {
      HostNotReporting: {
        expr: `${seen(reportedWithin)} unless ${seen(window)}`,
        severity: "critical" as const,
        hostLevel: false,
        summary,
        description,
        tests: [
          test(
            `${steps * 2 + 5}m`,
            hosts
              .filter((h) => h !== neverSeen)
              .map((h) => ({ series: `up{job="vmagent",host="${h}"}`, values: h === gone ? "1x4" : `1x${steps * 2 + 10}` })),
            [
              {
                labels: { host: gone },
                summary: `${gone} is not reporting`,
                description: `No metrics from ${gone} for ${window}: the host or its vmagent is down, or it cannot reach the monitoring server.`,
              },
            ],
          ),
        ],
      },
    },
  };
}

export const nodeRules = {
  systemd: {
    SystemdUnitFailed: {
      expr: 'node_systemd_unit_state{state="failed"} == 1',
      for: "1m",
      severity: "critical" as const,
      summary: "{{ $labels.host }}: {{ $labels.name }} failed",
      description: "The unit {{ $labels.name }} on {{ $labels.host }} is in the failed state; see journalctl -u {{ $labels.name }}.",
      tests: [
        test(
          "5m",
          [{ series: 'node_systemd_unit_state{host="a",name="x.service",state="failed"}', values: "0 0 1x10" }],
          [
            {
              labels: { host: "a", name: "x.service", state: "failed" },
              summary: "a: x.service failed",
              description: "The unit x.service on a is in the failed state; see journalctl -u x.service.",
            },
          ],
        ),
      ],
    },
    UnitCrashLooping: {
      expr: "increase(node_systemd_service_restart_total[15m]) > 3",
      severity: "warning" as const,
      summary: "{{ $labels.host }}: {{ $labels.name }} keeps restarting",
      description: '{{ $labels.name }} on {{ $labels.host }} restarted {{ $value | printf "%.0f" }} times in 15 minutes.',
      tests: [
        test(
          "20m",
          [
            { series: 'node_systemd_service_restart_total{host="a",name="loop.service"}', values: "0+1x30" },
            { series: 'node_systemd_service_restart_total{host="a",name="calm.service"}', values: "0+0x30" },
          ],
          [
            {
              labels: { host: "a", name: "loop.service" },
              summary: "a: loop.service keeps restarting",
              description: "loop.service on a restarted 15 times in 15 minutes.",
            },
          ],
        ),
      ],
    },
  },
  filesystem: {
    FilesystemAlmostFull: {
      expr: `100 * (1 - node_filesystem_avail_bytes${disk} / node_filesystem_size_bytes${disk}) > 90`,
      for: "10m",
      severity: "warning" as const,
      summary: '{{ $labels.host }}: {{ $labels.mountpoint }} is {{ $value | printf "%.0f" }}% full',
      description:
        "The filesystem on {{ $labels.device }} mounted at {{ $labels.mountpoint }} of {{ $labels.host }} has less than 10% free.",
      tests: [
        test(
          "15m",
          [
            { series: 'node_filesystem_avail_bytes{host="a",device="/dev/sda1",mountpoint="/",fstype="ext4"}', values: "5x20" },
            { series: 'node_filesystem_size_bytes{host="a",device="/dev/sda1",mountpoint="/",fstype="ext4"}', values: "100x20" },
            { series: 'node_filesystem_avail_bytes{host="a",device="tmpfs",mountpoint="/run",fstype="tmpfs"}', values: "0x20" },
            { series: 'node_filesystem_size_bytes{host="a",device="tmpfs",mountpoint="/run",fstype="tmpfs"}', values: "100x20" },
          ],
          [
            {
              labels: { host: "a", device: "/dev/sda1", mountpoint: "/", fstype: "ext4" },
              summary: "a: / is 95% full",
              description: "The filesystem on /dev/sda1 mounted at / of a has less than 10% free.",
            },
          ],
        ),
      ],
    },
    FilesystemFillingUp: {
      expr: `predict_linear(node_filesystem_avail_bytes${disk}[6h], 24 * 3600) < 0 and 100 * node_filesystem_avail_bytes${disk} / node_filesystem_size_bytes${disk} < 40`,
      for: "1h",
      severity: "warning" as const,
      summary: "{{ $labels.host }}: {{ $labels.mountpoint }} will be full within a day",
      description:
        "At the rate of the last 6 hours, the filesystem mounted at {{ $labels.mountpoint }} of {{ $labels.host }} fills up within 24 hours.",
      tests: [
        test(
          "3h",
          [
            { series: 'node_filesystem_avail_bytes{host="a",device="/dev/sda1",mountpoint="/",fstype="ext4"}', values: "1000-3x300" },
            { series: 'node_filesystem_size_bytes{host="a",device="/dev/sda1",mountpoint="/",fstype="ext4"}', values: "2000x300" },
            { series: 'node_filesystem_avail_bytes{host="a",device="/dev/sdb1",mountpoint="/srv",fstype="ext4"}', values: "1000x300" },
            { series: 'node_filesystem_size_bytes{host="a",device="/dev/sdb1",mountpoint="/srv",fstype="ext4"}', values: "2000x300" },
          ],
          [
            {
              labels: { host: "a", device: "/dev/sda1", mountpoint: "/", fstype: "ext4" },
              summary: "a: / will be full within a day",
              description: "At the rate of the last 6 hours, the filesystem mounted at / of a fills up within 24 hours.",
            },
          ],
        ),
      ],
    },
  },
  resources: {
    HighCpuUsage: {
      expr: '100 * (1 - avg by (host) (rate(node_cpu_seconds_total{mode="idle"}[5m]))) > 90',
      for: "15m",
      severity: "warning" as const,
      summary: '{{ $labels.host }}: CPU {{ $value | printf "%.0f" }}% busy',
      description: "The CPUs of {{ $labels.host }} have been more than 90% busy for 15 minutes.",
      tests: [
        test(
          "30m",
          [
            { series: 'node_cpu_seconds_total{host="a",cpu="0",mode="idle"}', values: "0+3x40" },
            { series: 'node_cpu_seconds_total{host="a",cpu="1",mode="idle"}', values: "0+3x40" },
            { series: 'node_cpu_seconds_total{host="b",cpu="0",mode="idle"}', values: "0+50x40" },
          ],
          [
            {
              labels: { host: "a" },
              summary: "a: CPU 95% busy",
              description: "The CPUs of a have been more than 90% busy for 15 minutes.",
            },
          ],
        ),
      ],
    },
    HighMemoryUsage: {
      expr: "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) > 90",
      for: "10m",
      severity: "warning" as const,
      summary: '{{ $labels.host }}: memory {{ $value | printf "%.0f" }}% used',
      description: "Less than 10% of the memory of {{ $labels.host }} has been available for 10 minutes.",
      tests: [
        test(
          "15m",
          [
            { series: 'node_memory_MemAvailable_bytes{host="a"}', values: "4x20" },
            { series: 'node_memory_MemTotal_bytes{host="a"}', values: "100x20" },
          ],
          [
            {
              labels: { host: "a" },
              summary: "a: memory 96% used",
              description: "Less than 10% of the memory of a has been available for 10 minutes.",
            },
          ],
        ),
      ],
    },
    HighLoadPerCore: {
      expr: 'max by (host) (node_load15) / count by (host) (node_cpu_seconds_total{mode="idle"}) > 2',
      for: "15m",
      severity: "warning" as const,
      summary: '{{ $labels.host }}: load {{ $value | printf "%.1f" }} per core',
      description: "The 15-minute load average of {{ $labels.host }} has been above 2 per core for 15 minutes.",
      tests: [
        test(
          "20m",
          [
            { series: 'node_load15{host="a"}', values: "5x30" },
            { series: 'node_cpu_seconds_total{host="a",cpu="0",mode="idle"}', values: "0+1x30" },
            { series: 'node_cpu_seconds_total{host="a",cpu="1",mode="idle"}', values: "0+1x30" },
          ],
          [
            {
              labels: { host: "a" },
              summary: "a: load 2.5 per core",
              description: "The 15-minute load average of a has been above 2 per core for 15 minutes.",
            },
          ],
        ),
      ],
    },
    ClockSkew: {
      expr: "abs(node_timex_offset_seconds) > 0.05",
      for: "10m",
      severity: "warning" as const,
      summary: "{{ $labels.host }}: clock off by {{ $value | humanizeDuration }}",
      description: "The clock of {{ $labels.host }} is more than 50ms off its time source; check its NTP client.",
      tests: [
        test(
          "15m",
          [{ series: 'node_timex_offset_seconds{host="a"}', values: "-2x20" }],
          [
            {
              labels: { host: "a" },
              summary: "a: clock off by 2s",
              description: "The clock of a is more than 50ms off its time source; check its NTP client.",
            },
          ],
        ),
      ],
    },
  },
  health: {
    HealthCheckFailing: {
      expr: "roost_health_check_ok == 0",
      for: "3m",
      severity: "critical" as const,
      summary: "{{ $labels.host }}: health check {{ $labels.check }} failing",
      description:
        "The Roost health check {{ $labels.check }} of {{ $labels.host }} has failed for 3 minutes; roost status {{ $labels.host }} says why.",
      tests: [
        test(
          "10m",
          [
            { series: 'roost_health_check_ok{host="a",check="web"}', values: "1 1 0x10" },
            { series: 'roost_health_check_ok{host="a",check="db"}', values: "1x12" },
          ],
          [
            {
              labels: { host: "a", check: "web" },
              summary: "a: health check web failing",
              description: "The Roost health check web of a has failed for 3 minutes; roost status a says why.",
            },
          ],
        ),
      ],
    },
  },
};

// The alerts a host with backups contributes to monitoring.alertRules. They are the same on every
// host: the allowed age of each backup is a metric of its own (restic_max_age_seconds), written by
// every run beside the time of the last success, so one rule serves every job of the fleet.

const labels = 'backup="files",host="app",instance="app:9100",job="node",repository="vault"';

export const backupAlerts = {
  ResticBackupTooOld: {
    expr: "time() - restic_last_success_timestamp_seconds > restic_max_age_seconds",
    for: "5m",
    severity: "warning" as const,
    summary: "{{ $labels.host }}: backup {{ $labels.backup }} last succeeded {{ $value | humanizeDuration }} ago",
    description:
      "The last successful run of roost-backup-{{ $labels.backup }}.service is older than its schedule allows: `roost logs {{ $labels.host }} roost-backup-{{ $labels.backup }}`.",
    tests: [
      {
        // Succeeded at t=0, may be 1 h old: quiet at 50 min, firing at 70 min (60 min + for 5 min).
        interval: "1m",
        inputSeries: [
          { series: `restic_last_success_timestamp_seconds{${labels}}`, values: "0x80" },
          { series: `restic_max_age_seconds{${labels}}`, values: "3600x80" },
        ],
        evalTime: "70m",
        expectAlerts: [
          {
            labels: { backup: "files", host: "app", instance: "app:9100", job: "node", repository: "vault" },
            summary: "app: backup files last succeeded 1h 10m 0s ago",
            description:
              "The last successful run of roost-backup-files.service is older than its schedule allows: `roost logs app roost-backup-files`.",
          },
        ],
      },
      {
        interval: "1m",
        inputSeries: [
          { series: `restic_last_success_timestamp_seconds{${labels}}`, values: "0x80" },
          { series: `restic_max_age_seconds{${labels}}`, values: "3600x80" },
        ],
        evalTime: "50m",
        expectAlerts: [],
      },
    ],
  },
  ResticCheckFailed: {
    expr: "restic_check_last_run_exit_code != 0",
    for: "0s",
    severity: "warning" as const,
    summary: "{{ $labels.host }}: restic check of repository {{ $labels.repository }} failed",
    description: "`roost logs {{ $labels.host }} roost-backup-check-{{ $labels.repository }}` tells what restic found.",
    tests: [
      {
        interval: "1m",
        inputSeries: [
          { series: 'restic_check_last_run_exit_code{host="app",instance="app:9100",job="node",repository="vault"}', values: "0 0 1 1" },
        ],
        evalTime: "3m",
        expectAlerts: [
          {
            labels: { host: "app", instance: "app:9100", job: "node", repository: "vault" },
            summary: "app: restic check of repository vault failed",
            description: "`roost logs app roost-backup-check-vault` tells what restic found.",
          },
        ],
      },
    ],
  },
};

// Backups with restic: jobs of paths and database dumps (streamed into restic, never through a
// temporary file) on a schedule, with retention, a periodic `restic check`, node_exporter metrics of
// every run and an alert when the last success is too old. Repositories: a local path, another host
// of the fleet over sftp (Roost creates the account there), REST, S3 or any restic URL.
//
// Other modules say what to back up through services.backup.sources.<name>; each source is a job of
// its own name unless it names another job.
export { backup } from "./backup.ts";
export { appSource, backupApps } from "./apps.ts";
export { backupContainers } from "./containers.ts";
export { runnerPath } from "./runner.ts";

// The client side of services.backup: for each repository and job, the JSON file the runner reads,
// its secrets, its unit and timer, and what is missing (as assertions naming the options).
import { execLine, formats, type Nodes } from "roost";
import {
  cacheDir,
  checkUnit,
  confDir,
  databaseEntry,
  forgetArgs,
  jobUnit,
  lockDir,
  maxAgeOf,
  repositorySecrets,
  resticAccess,
  type DatabaseEntry,
  type Job,
  type Repository,
  type ResticAccess,
  type Source,
} from "./render.ts";
import { runnerPath, runnerScript } from "./runner.ts";

const json = formats.json();

/** services.backup, as this file reads it. */
export interface BackupConfig {
  readonly package: string;
  readonly repositories: Readonly<Record<string, Repository>>;
  readonly defaultRepository: string | null;
  readonly jobs: Readonly<Record<string, Job>>;
  readonly sources: Readonly<Record<string, Source>>;
}
type Unit = { [key: string]: unknown };

type Secrets = ReturnType<typeof repositorySecrets>;

/**
 * What a client host defines. Only the text of the settings files and the assertions about sftp
 * targets read other hosts, on first read: those hosts read this one's repositories in turn.
 */
export interface ClientParts {
  readonly packages: string[];
  readonly files: Record<string, { readonly text: string; mode?: string }>;
  readonly secrets: Secrets;
  readonly services: Record<string, Unit>;
  readonly timers: Record<string, Unit>;
  readonly problems: () => { message: string; options: string[][] }[];
}

const toolOf: Record<DatabaseEntry["type"], string> = {
  postgresql: "postgresql-client",
  mysql: "mariadb-client",
  redis: "redis-tools",
  sqlite: "sqlite3",
} as const;

/**
 * `services` is the host's services.* (for what its database modules say), `hostKey` its own
 * deployment.hostKey (its identity on sftp targets).
 */
export function renderClient(
  hostName: string,
  cfg: BackupConfig,
  services: Readonly<Record<string, any>>,
  hostKey: string | null,
  nodes: Nodes,
  metricsDirectory: string,
  runtime: "podman" | "docker" = "podman",
): ClientParts {
  const repositoryNames = Object.keys(cfg.repositories);
  const defaultRepository = cfg.defaultRepository ?? (repositoryNames.length === 1 ? repositoryNames[0]! : null);
  const problems: { message: string; options: string[][] }[] = [];
  const parts: ClientParts = {
    packages: [cfg.package, "jq"],
    files: {},
    secrets: {},
    services: {},
    timers: {},
    problems: () => [...problems, ...remoteProblems()],
  };
  const problem = (message: string, ...options: string[][]) => problems.push({ message, options });
  const accessCache = new Map<string, ResticAccess>();
  const accessOf = (repoName: string) => {
    let a = accessCache.get(repoName);
    if (!a) accessCache.set(repoName, (a = resticAccess(hostName, repoName, cfg.repositories[repoName]!, nodes, hostKey)));
    return a;
  };
  const remoteProblems = () =>
    Object.keys(cfg.repositories).flatMap((repoName) =>
      accessOf(repoName).problems.map((p) => ({
        message: `services.backup.repositories.${repoName}.sftp: ${p}`,
        options: [["services", "backup", "repositories", repoName, "sftp", "host"]],
      })),
    );
  /** A file whose text is rendered on first read. */
  const lazyFile = (path: string, render: () => string, mode?: string) => {
    let text: string | undefined;
    parts.files[path] = {
      get text() {
        return (text ??= render());
      },
      ...(mode ? { mode } : {}),
    };
  };
  const restic = (repoName: string) => {
    const a = accessOf(repoName);
    return { environment: a.environment, options: a.options, initialize: cfg.repositories[repoName]!.initialize };
  };

  for (const [repoName, repo] of Object.entries(cfg.repositories)) {
    const secrets = repositorySecrets(repoName, repo);
    Object.assign(parts.secrets, secrets);
    if (repo.sftp !== null) parts.packages.push("openssh-client");
    lazyFile(`${confDir}/repositories/${repoName}.json`, () =>
      json.generate({
        repository: repoName,
        restic: restic(repoName),
        lock: `${lockDir}/${repoName}.lock`,
        readData: repo.checkReadData,
        metrics: `${metricsDirectory}/restic-check-${repoName}.prom`,
      }),
    );
    if (repo.checkSchedule === null) continue;
    parts.services[checkUnit(repoName)] = oneshot(`restic check of the backup repository ${repoName}`, ["check", repoName], secrets);
    parts.timers[checkUnit(repoName)] = {
      description: `Checks the backup repository ${repoName}`,
      timerConfig: { OnCalendar: [repo.checkSchedule], RandomizedDelaySec: 3600, Persistent: true },
    };
  }

  const sourcesOf = (jobName: string) => Object.entries(cfg.sources).filter(([n, s]) => (s.job ?? n) === jobName);
  const jobNames = new Set([...Object.keys(cfg.jobs), ...Object.entries(cfg.sources).map(([n, s]) => s.job ?? n)]);
  for (const jobName of [...jobNames].sort()) {
    const j = cfg.jobs[jobName];
    const at = (...rest: string[]) => ["services", "backup", "jobs", jobName, ...rest];
    if (!j) {
      const by = sourcesOf(jobName)[0]![0];
      problem(`services.backup.sources.${by}.job: there is no services.backup.jobs.${jobName}`, [
        "services",
        "backup",
        "sources",
        by,
        "job",
      ]);
      continue;
    }
    const repoName = j.repository ?? defaultRepository;
    const repo = repoName === null ? undefined : cfg.repositories[repoName];
    if (!repo) {
      problem(
        repoName === null
          ? `services.backup.jobs.${jobName}.repository: none is named, and there is no single repository to default to (set it, or services.backup.defaultRepository)`
          : `services.backup.jobs.${jobName}.repository: there is no services.backup.repositories.${repoName}`,
        at("repository"),
      );
      continue;
    }
    const sources = sourcesOf(jobName).map(([, s]) => s);
    const paths = [...new Set([...j.paths, ...sources.flatMap((s) => s.paths)])];
    const exclude = [...new Set([...j.exclude, ...sources.flatMap((s) => s.exclude)])];
    const databases: DatabaseEntry[] = [];
    for (const d of [...j.databases, ...sources.flatMap((s) => s.databases)]) {
      const entry = databaseEntry(d, services, runtime);
      if ("problem" in entry) problem(`services.backup.jobs.${jobName}.databases: ${entry.problem}`, at("databases"));
      else if (databases.some((e) => e.file === entry.file))
        problem(`services.backup.jobs.${jobName}.databases: ${entry.type} ${entry.label} is listed twice`, at("databases"));
      else databases.push(entry);
      parts.packages.push(d.container === null ? toolOf[d.type] : runtime === "docker" ? "docker.io" : "podman");
    }
    const forget = forgetArgs(j.retention);
    if (forget.length === 0)
      problem(`services.backup.jobs.${jobName}.retention: it keeps nothing; set at least one keep rule`, at("retention"));
    if (paths.length === 0 && databases.length === 0)
      problem(`services.backup.jobs.${jobName}: there are no paths and no databases to back up`, at("paths"));
    const hook = (kind: "pre" | "post", commands: readonly string[]) => {
      if (commands.length === 0) return null;
      const path = `${confDir}/hooks/${jobName}.${kind}`;
      parts.files[path] = {
        text: `#!/bin/bash\nset -euo pipefail\n${commands.map((c) => (c.endsWith("\n") ? c : `${c}\n`)).join("")}`,
        mode: "0755",
      };
      return path;
    };
    const preHook = hook("pre", j.preHooks);
    const postHook = hook("post", j.postHooks);
    lazyFile(`${confDir}/jobs/${jobName}.json`, () =>
      json.generate({
        job: jobName,
        repository: repoName!,
        restic: restic(repoName!),
        lock: `${lockDir}/${repoName}.lock`,
        paths,
        exclude,
        databases: databases.map((d) => ({ ...d })),
        forget,
        preHook,
        postHook,
        metrics: `${metricsDirectory}/restic-${jobName}.prom`,
        maxAge: maxAgeOf(j),
      }),
    );
    parts.services[jobUnit(jobName)] = oneshot(`restic backup ${jobName}`, ["run", jobName], repositorySecrets(repoName!, repo));
    parts.timers[jobUnit(jobName)] = {
      description: `Runs the backup ${jobName}`,
      timerConfig: { OnCalendar: [j.schedule], RandomizedDelaySec: j.randomizedDelay, Persistent: j.persistent },
    };
  }
  if (Object.values(cfg.repositories).some((r) => r.sftp !== null))
    lazyFile(`${confDir}/known_hosts`, () =>
      [...new Set(Object.keys(cfg.repositories).flatMap((r) => accessOf(r).knownHosts))].map((l) => `${l}\n`).join(""),
    );
  parts.files[runnerPath] = { text: runnerScript, mode: "0755" };
  parts.packages.splice(0, parts.packages.length, ...new Set(parts.packages));
  return parts;
}

/** A unit that runs the runner once; never started or interrupted by a deploy, only by its timer or `roost backup run`. */
function oneshot(description: string, args: string[], secrets: Secrets): Unit {
  return {
    description,
    after: ["network-online.target"],
    wants: ["network-online.target"],
    serviceConfig: {
      Type: "oneshot",
      ExecStart: [execLine([runnerPath, ...args])],
      Nice: 10,
      CacheDirectory: [cacheDir.slice("/var/cache/".length)],
      extraConfig: { IOSchedulingClass: "idle" },
    },
    secrets: Object.keys(secrets),
    restartIfChanged: false,
    wantedBy: [],
  };
}

import { Command, CommanderError, Option } from "commander";
import { UsageError, type GlobalOptions } from "./context.ts";
import { exitCodes, exitCodesHelp } from "./exit-codes.ts";
import { defaultConfigFile } from "./load-fleet.ts";
import { formatError } from "./report.ts";
import { journalOutputs, type JournalOutput } from "../deploy/protocol.ts";

/** Run the roost command line; resolves to the exit code. Each command loads only what it uses. */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = exitCodes.ok;
  const program = new Command("roost")
    .description("Declarative, typed configuration and deployment for small fleets of Debian servers.")
    .option("-c, --config <file>", "the fleet file", defaultConfigFile)
    .option("--debug", "show stack traces", false)
    .option("--ssh-config <file>", "an ssh_config file to use instead of ~/.ssh/config")
    .addHelpText("after", `\n${exitCodesHelp}`)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
  const global = (): GlobalOptions => program.opts<GlobalOptions>();
  /** An action that loads its command's module only when it runs, and keeps its exit code. */
  const lazy =
    <M, A extends unknown[]>(load: () => Promise<M>, call: (m: M, ...args: A) => Promise<number>) =>
    async (...args: A) =>
      void (code = await call(await load(), ...args));

  program
    .command("init")
    .description("scaffold a fleet: roost.config.ts with two hosts, a module, a scenario, package.json and tsconfig.json")
    .argument("[dir]", "where (created if missing)", ".")
    .action(
      lazy(
        () => import("./commands/init.ts"),
        (m, dir: string) => m.initCommand(dir),
      ),
    );
  program
    .command("check")
    .description("evaluate and build every host, and run the real validators (systemd-analyze verify, nft -c)")
    .argument("[hosts...]", "hosts to check (default: all)")
    .option("-v, --verbose", "also show notes about what only the host provides", false)
    .option("--fix", "first generate the secrets the fleet uses and lacks", false)
    .action(
      lazy(
        () => import("./commands/check.ts"),
        (m, hosts: string[], o: { verbose: boolean; fix: boolean }) => m.checkCommand(hosts, { ...global(), ...o }),
      ),
    );
  program
    .command("build")
    .description("write each host's generation to <out>/<host>/")
    .argument("[hosts...]", "hosts to build (default: all)")
    .option("-o, --out <dir>", "output directory", "result")
    .action(
      lazy(
        () => import("./commands/build.ts"),
        (m, hosts: string[], o: { out: string }) => m.buildCommand(hosts, { ...global(), ...o }),
      ),
    );
  program
    .command("options")
    .description("the option reference: path, type, default, description, example, declared in")
    .addOption(new Option("--json", "as JSON").conflicts(["markdown", "html"]).default(false))
    .addOption(new Option("--markdown", "as Markdown").conflicts("html").default(false))
    .addOption(new Option("--html", "as one self-contained, searchable web page: <out>/index.html").default(false))
    .option("-o, --out <dir>", "where --html writes index.html", "roost-options")
    .action(
      lazy(
        () => import("./commands/options.ts"),
        (m, o: { json: boolean; markdown: boolean; html: boolean; out: string }) => m.optionsCommand({ ...global(), ...o }),
      ),
    );
  program
    .command("eval")
    .description("print a host's final value of an option and where it was defined")
    .argument("<host>", "a host of the fleet")
    .argument("<option>", 'an option path, e.g. systemd.services.web.serviceConfig or files."/etc/motd".text')
    .option("--json", "print the value as JSON, without definition sites", false)
    .action(
      lazy(
        () => import("./commands/eval.ts"),
        (m, host: string, path: string, o: { json: boolean }) => m.evalCommand(host, path, { ...global(), ...o }),
      ),
    );

  const seconds = (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`expected a number of seconds, got ${JSON.stringify(v)}`);
    return n;
  };
  const positive = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected a positive whole number, got ${JSON.stringify(v)}`);
    return n;
  };
  program
    .command("plan")
    .description("what a deploy would change on each host (files with diffs, units, packages, users), and drift")
    .argument("[hosts...]", "hosts to plan (default: all)")
    .option("--json", "as JSON", false)
    .action(
      lazy(
        () => import("./commands/plan.ts"),
        (m, hosts: string[], o: { json: boolean }) => m.planCommand(hosts, { ...global(), ...o }),
      ),
    );
  program
    .command("deploy")
    .description("switch hosts to their new generation, in parallel, with health checks and automatic rollback")
    .argument("[hosts...]", "hosts or @tags to deploy (default: all)")
    .option(
      "--on <hosts>",
      "hosts or @tags to deploy, comma-separated; may be repeated",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option("-j, --jobs <n>", "hosts deployed at once", positive, 5)
    .option("--dry-run", "only show the plan", false)
    .option("--confirm-timeout <seconds>", "roll back unless confirmed within this time (default: deployment.confirmTimeout)", seconds)
    .option("-q, --quiet", "no progress view", false)
    .option("--json", "print the results as JSON", false)
    .option("--timings", "after the summary, where the time went: per host and phase", false)
    .option("--retry-failed", "deploy only the hosts that failed or were unreachable in the last deploy", false)
    .action(
      lazy(
        () => import("./commands/deploy.ts"),
        (
          m,
          hosts: string[],
          o: {
            on: string[];
            jobs: number;
            dryRun: boolean;
            confirmTimeout?: number;
            quiet: boolean;
            json: boolean;
            timings: boolean;
            retryFailed: boolean;
          },
        ) => m.deployCommand(hosts, { ...global(), ...o }),
      ),
    );
  program
    .command("rollback")
    .description("switch a host back to an earlier generation (the previous one by default)")
    .argument("<host>", "a host of the fleet")
    .argument("[generation]", "a generation id (or its start)")
    .option("--confirm-timeout <seconds>", "roll forward again unless confirmed within this time", seconds)
    .action(
      lazy(
        () => import("./commands/generations.ts"),
        (m, host: string, generation: string | undefined, o: { confirmTimeout?: number }) =>
          m.rollbackCommand(host, generation, { ...global(), ...o }),
      ),
    );
  program
    .command("generations")
    .description("the generations stored on a host: id, first activation, size, which is current")
    .argument("<host>", "a host of the fleet")
    .option("--json", "as JSON", false)
    .action(
      lazy(
        () => import("./commands/generations.ts"),
        (m, host: string, o: { json: boolean }) => m.generationsCommand(host, { ...global(), ...o }),
      ),
    );
  program
    .command("status")
    .description(
      "each host's generation, pending switch, failed units, health checks run now, and drift; exit 1 if any host is unhealthy or unreachable",
    )
    .argument("[hosts...]", "hosts or @tags (default: all)")
    .option("--json", "as JSON", false)
    .action(
      lazy(
        () => import("./commands/status.ts"),
        (m, hosts: string[], o: { json: boolean }) => m.statusCommand(hosts, { ...global(), ...o }),
      ),
    );
  const count = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`expected a number of lines, got ${JSON.stringify(v)}`);
    return n;
  };
  program
    .command("logs")
    .description(
      "a host's journal, of one unit or of the whole host; -f follows until Ctrl-C; --fleet: every host's, as the monitoring server keeps them",
    )
    .argument("[host]", "a host of the fleet")
    .argument("[unit]", "a unit, e.g. nginx.service or nginx (default: the whole journal)")
    .option("-f, --follow", "keep printing new lines until Ctrl-C", false)
    .option("--since <when>", "a duration back from now (30s, 10m, 1h, 2d) or a time (2025-01-31 14:00)")
    .option("-n, --lines <n>", "the last n lines", count)
    .addOption(new Option("-o, --output <mode>", "journalctl's output mode").choices(journalOutputs).default("short"))
    .option("--fleet", "the journals every host ships to the monitoring server, read there")
    .option("--host <host>", "with --fleet: only this host's journal")
    .option("--unit <unit>", "with --fleet: only this unit")
    .action(
      lazy(
        () => import("./commands/logs.ts"),
        (
          m,
          host: string | undefined,
          unit: string | undefined,
          o: { follow: boolean; since?: string; lines?: number; output: JournalOutput; fleet?: boolean; host?: string; unit?: string },
        ) => m.logsCommand(host, unit, { ...global(), ...o }),
      ),
    );
  const backup = program.command("backup").description("a host's restic backups: list, run and restore");
  backup
    .command("list")
    .description("the snapshots of each backup job of a host (or of one job)")
    .argument("<host>", "a host of the fleet")
    .argument("[job]", "a job of services.backup.jobs (default: every job)")
    .option("--json", "as JSON", false)
    .action(
      lazy(
        () => import("./commands/backup.ts"),
        (m, host: string, job: string | undefined, o: { json: boolean }) => m.backupListCommand(host, job, { ...global(), ...o }),
      ),
    );
  backup
    .command("run")
    .description("run a host's backup jobs (or one) now and wait for them; exit 1 when one fails")
    .argument("<host>", "a host of the fleet")
    .argument("[job]", "a job of services.backup.jobs (default: every job)")
    .action(
      lazy(
        () => import("./commands/backup.ts"),
        (m, host: string, job: string | undefined) => m.backupRunCommand(host, job, global()),
      ),
    );
  backup
    .command("restore")
    .description(
      "restore a job's latest run (or the run of --snapshot): files in place, dumps into their databases; with --to, all as files under a directory",
    )
    .argument("<host>", "a host of the fleet")
    .argument("<job>", "a job of services.backup.jobs")
    .option("--snapshot <id>", "a snapshot of the run to restore, as roost backup list shows it")
    .option("--to <dir>", "restore under this directory on the host instead, and write the dumps there as files")
    .action(
      lazy(
        () => import("./commands/backup.ts"),
        (m, host: string, job: string, o: { snapshot?: string; to?: string }) => m.backupRestoreCommand(host, job, { ...global(), ...o }),
      ),
    );
  program
    .command("test")
    .description("run a scenario file on fresh local test hosts (systemd-nspawn; needs root)")
    .argument("<file>", "a scenario: export default scenario({ … })")
    .action(
      lazy(
        () => import("./commands/test.ts"),
        (m, file: string) => m.testCommand(file, global()),
      ),
    );

  const hostsCommand = program
    .command("hosts")
    .description(
      "host keys: `roost hosts keyscan [host…]` prints each host's key to pin as hostKey; `roost hosts bootstrap <host>` sets up a deploy user",
    );
  hostsCommand
    .command("keyscan")
    .argument("[hosts...]", "hosts to scan (default: all)")
    .action(
      lazy(
        () => import("./commands/hosts.ts"),
        (m, hosts: string[]) => m.keyscanCommand(hosts, global()),
      ),
    );
  hostsCommand
    .command("bootstrap")
    .description("install Roost's entry point and a sudoers line that lets --user deploy with it and nothing else")
    .argument("<host>", "the host")
    .option("--user <name>", "the deploy user", "deploy")
    .option("--print", "print the sudoers line and the install script instead of installing", false)
    .action(
      lazy(
        () => import("./commands/hosts.ts"),
        (m, host: string, o: { user: string; print: boolean }) => m.bootstrapCommand(host, { ...global(), ...o }),
      ),
    );
  const secrets = program.command("secrets").description("the fleet's encrypted secrets (age): set, edit, generate, list, rekey, rm");
  secrets.option(
    "-i, --identity <file>",
    "the key that decrypts (an age identity or SSH key; default $ROOST_AGE_IDENTITY, then ~/.ssh/id_ed25519)",
  );
  const sopts = () => ({ ...global(), ...secrets.opts<{ identity?: string }>() });
  secrets
    .command("set")
    .description("set a secret from standard input, encrypted to the admins and every host that reads it")
    .argument("<name>")
    .action(
      lazy(
        () => import("./commands/secrets.ts"),
        (m, name: string) => m.secretsSet(name, sopts()),
      ),
    );
  secrets
    .command("edit")
    .description("edit a secret in $EDITOR (the plaintext lives on tmpfs only while the editor runs)")
    .argument("<name>")
    .action(
      lazy(
        () => import("./commands/secrets.ts"),
        (m, name: string) => m.secretsEdit(name, sopts()),
      ),
    );
  secrets
    .command("generate")
    .description("generate random values for the named secrets, or for every secret the fleet uses that has none")
    .argument("[names...]")
    .option("--length <bytes>", "random bytes (base64url-encoded)", positive, 32)
    .option("--force", "replace existing values", false)
    .action(
      lazy(
        () => import("./commands/secrets.ts"),
        (m, names: string[], o: { length: number; force: boolean }) => m.secretsGenerate(names, { ...sopts(), ...o }),
      ),
    );
  secrets
    .command("list")
    .description("every secret, who can read it, and whether it is missing or needs a rekey")
    .action(
      lazy(
        () => import("./commands/secrets.ts"),
        (m) => m.secretsList(sopts()),
      ),
    );
  secrets
    .command("rekey")
    .description("re-encrypt the secrets whose readers changed (a host or admin added or removed)")
    .action(
      lazy(
        () => import("./commands/secrets.ts"),
        (m) => m.secretsRekey(sopts()),
      ),
    );
  secrets
    .command("rm")
    .description("remove a secret")
    .argument("<name>")
    .action(
      lazy(
        () => import("./commands/secrets.ts"),
        (m, name: string) => m.secretsRemove(name, sopts()),
      ),
    );

  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    console.error(formatError(e, argv.includes("--debug")));
    return e instanceof UsageError ? exitCodes.usage : exitCodes.failed;
  }
}

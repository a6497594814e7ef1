import { Command, CommanderError, Option } from "commander";
import { buildCommand } from "./commands/build.ts";
import { checkCommand } from "./commands/check.ts";
import { evalCommand } from "./commands/eval.ts";
import { optionsCommand } from "./commands/options.ts";
import { UsageError, type GlobalOptions } from "./context.ts";
import { exitCodes, exitCodesHelp } from "./exit-codes.ts";
import { defaultConfigFile } from "./load-fleet.ts";
import { formatError } from "./report.ts";

/** Run the roost command line; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = exitCodes.ok;
  const program = new Command("roost")
    .description("Declarative, typed configuration and deployment for small fleets of Debian servers.")
    .option("-c, --config <file>", "the fleet file", defaultConfigFile)
    .option("--debug", "show stack traces", false)
    .addHelpText("after", `\n${exitCodesHelp}`)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
  const global = (): GlobalOptions => program.opts<GlobalOptions>();

  program
    .command("check")
    .description("evaluate and build every host, and run the real validators (systemd-analyze verify, nft -c)")
    .argument("[hosts...]", "hosts to check (default: all)")
    .option("-v, --verbose", "also show notes about what only the host provides", false)
    .action(async (hosts: string[], o: { verbose: boolean }) => void (code = await checkCommand(hosts, { ...global(), ...o })));
  program
    .command("build")
    .description("write each host's generation to <out>/<host>/")
    .argument("[hosts...]", "hosts to build (default: all)")
    .option("-o, --out <dir>", "output directory", "result")
    .action(async (hosts: string[], o: { out: string }) => void (code = await buildCommand(hosts, { ...global(), ...o })));
  program
    .command("options")
    .description("the option reference: path, type, default, description, example, declared in")
    .addOption(new Option("--json", "as JSON").conflicts("markdown").default(false))
    .addOption(new Option("--markdown", "as Markdown").default(false))
    .action(async (o: { json: boolean; markdown: boolean }) => void (code = await optionsCommand({ ...global(), ...o })));
  program
    .command("eval")
    .description("print a host's final value of an option and where it was defined")
    .argument("<host>", "a host of the fleet")
    .argument("<option>", 'an option path, e.g. systemd.services.web.serviceConfig or files."/etc/motd".text')
    .option("--json", "print the value as JSON, without definition sites", false)
    .action(async (host: string, path: string, o: { json: boolean }) => void (code = await evalCommand(host, path, { ...global(), ...o })));

  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    console.error(formatError(e, argv.includes("--debug")));
    return e instanceof UsageError ? exitCodes.usage : exitCodes.failed;
  }
}

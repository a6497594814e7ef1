import { option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";

/** A program name or absolute path: what `roost check` looks up on the controller. */
const program = /^([A-Za-z0-9][A-Za-z0-9._+-]*|\/\S+)$/;
const argument = t.strSatisfying("command argument", (v) => (v === "" ? "an empty argument cannot be passed" : null));

const validator = t.submodule({
  options: {
    command: option({
      type: t.listOf(argument),
      description:
        "The program and its arguments, run without a shell in a directory that holds the generation's files at their paths without the leading / (so /etc/x.yml is etc/x.yml).",
      example: ["promtool", "check", "rules", "etc/roost-monitoring/rules.yml"],
    }),
    package: option({
      type: t.nullOr(t.pkg),
      default: null,
      description: "The Debian package that provides the program, named when it is not installed.",
      example: "prometheus",
    }),
  },
  validate: (v) => {
    if (v.command.length === 0) return "command needs at least the program";
    return program.test(v.command[0]!) ? null : `${JSON.stringify(v.command[0])} is not a program name or absolute path`;
  },
});

export const validatorsOptions = {
  validators: option({
    type: t.attrsOf(validator, t.strMatching(/^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,99}$/, "validator name (letters, digits, _ . @ : -)")),
    default: {},
    description:
      "Commands `roost check` runs on the controller against the generation's files (a configuration checker such as promtool or amtool); a non-zero exit fails the check, a program that is not installed is reported as skipped.",
    example: { "alert-rules": { command: ["promtool", "check", "rules", "etc/prometheus/rules.yml"], package: "prometheus" } },
  }),
} satisfies OptionTree;

export const validatorsModule = defineHostModule({ name: "validators", options: validatorsOptions });

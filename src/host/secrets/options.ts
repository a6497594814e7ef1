import { mkIf, option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";
import { ownership } from "../modes.ts";
import { placeholder } from "./uses.ts";
import { secretOutputDir as secretsDir, secretOutputPath } from "../reserved-paths.ts";

export { secretOutputDir as secretsDir } from "../reserved-paths.ts";

/** Text with {{secret:name}} placeholders; one written any other way would stay literal on the host. */
const template = t.linesSatisfying("text with {{secret:name}} placeholders", (v) => {
  const malformed = v.replace(placeholder, "").match(/\{\{\s*secret\s*:[^\n]{0,40}/);
  return malformed ? `it has a malformed placeholder ${JSON.stringify(malformed[0])}: write {{secret:name}}, without spaces` : null;
});

const output = t.submodule({
  options: {
    secret: option({ type: t.nullOr(t.secretRef), default: null, description: "Write this secret's value as it is." }),
    environment: option({
      type: t.attrsOf(t.secretRef, t.strMatching(/^[A-Za-z_][A-Za-z0-9_]*$/, "environment variable name")),
      default: {},
      description: "Write KEY=value lines (an EnvironmentFile for systemd) from several secrets.",
      example: { SMTP_PASSWORD: { secret: "smtp_password" } },
    }),
    template: option({
      type: t.nullOr(template),
      default: null,
      description:
        "Write this text with every {{secret:name}} replaced by that secret's value, for configs that cannot read a password file.",
      example: "[smtp]\npassword = {{secret:smtp_password}}\n",
    }),
    path: option({
      type: t.nullOr(secretOutputPath),
      default: null,
      description: "Where the plaintext goes: under /run (tmpfs), never on disk.",
      defaultText: `${secretsDir}/<name>`,
    }),
    ...ownership({ mode: "0400" }),
  },
  validate: (o) => {
    const kinds = [o.secret !== null, Object.keys(o.environment).length > 0, o.template !== null].filter(Boolean).length;
    if (kinds !== 1) return "set exactly one of secret, environment and template";
    return null;
  },
});

export const secretsOptions = {
  secrets: option({
    type: t.attrsOf(output, t.strMatching(t.secretName, "secret file name")),
    default: {},
    description:
      "Secrets decrypted on the host, with its own SSH host key, into /run at activation and at boot. Units that read one list it in systemd.services.<name>.secrets and restart when it changes.",
    example: { "pretix-db": { secret: { secret: "pretix_db_password" }, owner: "pretix" } },
  }),
} satisfies OptionTree;

export const secretsModule = defineHostModule({
  name: "secrets",
  options: secretsOptions,
  config: ({ config }) =>
    mkIf(Object.keys(config.secrets).length > 0, {
      packages: ["age"],
      systemd: {
        services: {
          "roost-secrets": {
            description: "Decrypt Roost secrets into /run",
            wantedBy: ["multi-user.target"],
            after: ["local-fs.target"],
            before: ["multi-user.target"],
            // At boot only: once an activation has written the secrets (marker in /run), a unit that
            // pulls this one in must not rewrite them from the generation that is being replaced.
            unitConfig: { ConditionPathExists: ["/var/lib/roost/current/activate", "!/run/roost/secrets/.installed"] },
            serviceConfig: {
              Type: "oneshot",
              RemainAfterExit: true,
              ExecStart: ["/bin/bash /var/lib/roost/current/activate --secrets-only"],
            },
            restartIfChanged: false,
          },
        },
      },
    }),
});

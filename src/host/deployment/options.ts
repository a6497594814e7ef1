import { option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";

export const deploymentOptions = {
  deployment: {
    confirmTimeout: option({
      type: t.duration,
      default: 60,
      description: "After a switch the host rolls back by itself unless the controller confirms over a new SSH connection within this time.",
    }),
    keepGenerations: option({ type: t.ints.between(2, 1000), default: 5, description: "Generations kept on the host for rollback; older ones are removed after a deploy." }),
  },
} satisfies OptionTree;

/**
 * Deploy settings, and the unit that finishes an unconfirmed switch at boot: a host that restarts
 * before its deploy was confirmed goes back to the generation it came from.
 */
export const deploymentModule = defineHostModule({
  name: "deployment",
  options: deploymentOptions,
  config: {
    systemd: {
      services: {
        "roost-recover": {
          description: "Roll back an unconfirmed Roost switch after a reboot",
          after: ["local-fs.target"],
          unitConfig: { ConditionPathExists: ["/var/lib/roost/pending"] },
          script: [
            "read -r next previous < /var/lib/roost/pending",
            'exec /bin/bash "/var/lib/roost/generations/$previous/activate" --from "/var/lib/roost/generations/$next" --rollback --if-pending',
          ].join("\n"),
          serviceConfig: { Type: "oneshot" },
          restartIfChanged: false,
        },
      },
    },
  },
});

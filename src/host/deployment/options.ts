import { option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";

/** A name `roost deploy --on @tag` selects hosts by. */
export const tagName = t.strMatching(/^[a-z0-9][a-z0-9_.-]*$/, "tag (a-z, 0-9, _ . -)");

export const deploymentOptions = {
  deployment: {
    targetHost: option({
      type: t.strMatching(/^[A-Za-z0-9_[][A-Za-z0-9_.:%\]-]*$/, "host name, IP address or ssh_config alias"),
      description: "Where the controller reaches the host over SSH.",
      defaultText: "the host part of host({ address })",
      example: "203.0.113.10",
    }),
    targetUser: option({
      type: t.nullOr(t.strMatching(/^[a-z_][a-z0-9_-]*$/, "user name")),
      default: null,
      description: "The user the controller logs in as (root, or a user with sudo); null lets ssh_config decide.",
      defaultText: "the user part of host({ address }), else null",
    }),
    targetPort: option({
      type: t.nullOr(t.port),
      default: null,
      description: "The SSH port; null lets ssh_config decide (22).",
      defaultText: 'the port of host({ address: "ssh://…:port" }), else null',
    }),
    hostKey: option({
      // One line: it is written into a known_hosts file, where a line break would add another key.
      type: t.nullOr(t.strMatching(/^[a-z0-9@.-]+ [A-Za-z0-9+/]+=*( [^\x00-\x1f\x7f]*)?$/, 'SSH public key ("ssh-ed25519 AAAA…")')),
      default: null,
      description: "The host's SSH public host key: pinned when the controller connects, and the key its secrets are encrypted to.",
      defaultText: "host({ hostKey }), else null",
    }),
    tags: option({
      type: t.listOf(tagName),
      default: [],
      description: "Names to select hosts by: `roost deploy --on @web`. Other hosts may read them through `nodes`.",
      example: ["web", "eu"],
    }),
    confirmTimeout: option({
      type: t.duration,
      default: 60,
      description:
        "After a switch the host rolls back by itself unless the controller confirms over a new SSH connection within this time.",
    }),
    keepGenerations: option({
      type: t.ints.between(2, 1000),
      default: 5,
      description: "Generations kept on the host for rollback; older ones are removed after a deploy.",
    }),
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

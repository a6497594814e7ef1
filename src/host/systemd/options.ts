import { mkDefault, option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";
import { pathSection, serviceSection, socketSection, timerSection, unitSection } from "./sections.ts";
import { unitTextProblem } from "./unit-file.ts";
import { unitName, unitRef, unitText, unitWord } from "./unit-value.ts";

const descriptionText = t.strSatisfying("string (one line)", (v) => (v === "" ? null : unitTextProblem(v)));

const deps = (description: string) => option({ type: t.listOf(unitRef), default: [], description });

/** Options every unit has, whatever its type. */
function commonOptions(wantedBy: string[]) {
  return {
    enable: option({ type: t.bool, default: true, description: "Render and start this unit; false leaves it out of the generation." }),
    description: option({ type: descriptionText, default: "", description: "Description= of the unit." }),
    documentation: option({ type: t.listOf(unitWord), default: [], description: "Documentation= URLs." }),
    after: deps("Start after these units (ordering only)."),
    before: deps("Start before these units (ordering only)."),
    wants: deps("Also start these units (weak dependency)."),
    requires: deps("Also start these units, and stop when they fail."),
    bindsTo: deps("Like requires, and stop when they stop."),
    partOf: deps("Stop and restart with these units."),
    conflicts: deps("Stop these units when this one starts."),
    wantedBy: option({
      type: t.listOf(unitRef),
      default: wantedBy,
      description: "Targets that pull this unit in when enabled ([Install] WantedBy=).",
    }),
    requiredBy: deps("[Install] RequiredBy=."),
    unitConfig: option({ type: t.submodule({ options: unitSection }), default: {}, description: "Further typed [Unit] keys." }),
    restartTriggers: option({
      type: t.listOf(t.anything),
      default: [],
      description: "Values whose change restarts the unit at activation (e.g. the text of its configuration file).",
    }),
    reloadTriggers: option({
      type: t.listOf(t.anything),
      default: [],
      description: "Values whose change reloads (not restarts) the unit at activation.",
    }),
  } satisfies OptionTree;
}

const service = t.submodule({
  // A service started by a timer is not also started at boot.
  config: ({ config }) => (config.startAt.length ? { wantedBy: mkDefault([]) } : {}),
  options: {
    ...commonOptions(["multi-user.target"]),
    serviceConfig: option({ type: t.submodule({ options: serviceSection }), default: {}, description: "Typed [Service] keys." }),
    environment: option({
      type: t.attrsOf(t.str, t.strMatching(/^[A-Za-z_][A-Za-z0-9_]*$/, "environment variable name")),
      default: {},
      description: "Environment variables (never secrets: use an environment file from the secrets module).",
      example: { RUST_LOG: "info" },
    }),
    script: option({
      type: t.nullOr(t.lines),
      default: null,
      description: "Shell script run as ExecStart (sh -e), shipped as a file of the generation.",
    }),
    preStart: option({ type: t.nullOr(t.lines), default: null, description: "Shell script run before the service starts (ExecStartPre)." }),
    secrets: option({
      type: t.listOf(t.str),
      default: [],
      description: "Names of secrets.<name> outputs the service reads: it starts after they are decrypted and restarts when one changes.",
    }),
    onSecretChange: option({
      type: t.enumOf(["restart", "reload"]),
      default: "restart",
      description:
        "What a change of one of its secrets does to the service: restart it, or reload it (for services that re-read their credentials on reload).",
    }),
    restartIfChanged: option({
      type: t.bool,
      default: true,
      description: "Restart the service when its unit changes; false for units that must not be interrupted by a deploy.",
    }),
    startAt: option({
      type: t.listOf(unitText),
      default: [],
      description: "Calendar events on which to run the service: shorthand for a timer of the same name.",
      example: ["*-*-* 06,12,18,23:00:00"],
    }),
  },
});

const timer = t.submodule({
  options: {
    ...commonOptions(["timers.target"]),
    timerConfig: option({ type: t.submodule({ options: timerSection }), default: {}, description: "Typed [Timer] keys." }),
  },
});

const socket = t.submodule({
  options: {
    ...commonOptions(["sockets.target"]),
    socketConfig: option({ type: t.submodule({ options: socketSection }), default: {}, description: "Typed [Socket] keys." }),
  },
});

const path = t.submodule({
  options: {
    ...commonOptions(["paths.target"]),
    pathConfig: option({ type: t.submodule({ options: pathSection }), default: {}, description: "Typed [Path] keys." }),
  },
});

const target = t.submodule({ options: commonOptions([]) });

const units = <T extends Parameters<typeof t.attrsOf>[0]>(type: T, kind: string) =>
  option({ type: t.attrsOf(type, unitName), default: {}, description: `systemd ${kind} units, by name without the .${kind} suffix.` });

export const systemdOptions = {
  systemd: {
    services: units(service, "service"),
    timers: units(timer, "timer"),
    sockets: units(socket, "socket"),
    paths: units(path, "path"),
    targets: units(target, "target"),
  },
} satisfies OptionTree;

export const systemdModule = defineHostModule({
  name: "systemd",
  options: systemdOptions,
  config: ({ config }) => ({
    systemd: {
      timers: Object.fromEntries(
        Object.entries(config.systemd.services)
          .filter(([, s]) => s.startAt.length > 0)
          .map(([name, s]) => [name, { description: `Runs ${name}.service`, timerConfig: { OnCalendar: s.startAt, Persistent: true } }]),
      ),
    },
  }),
});

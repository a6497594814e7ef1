// The systemd units of one app: the app itself, `<name>-setup` (its preStart steps, run before
// every start and every reload), and one service per timer. All share the user, environment,
// secrets, hardening and failure mail.
import { execLine } from "roost";
import type { AppConfig } from "./app.ts";

/** The full unit name of an app's setup unit. */
export const setupUnit = (name: string) => `${name}-setup.service`;

export interface UnitContext {
  readonly name: string;
  readonly app: AppConfig;
  /** Environment of every unit of the app. */
  readonly environment: Record<string, string>;
  /** The secrets output holding the app's secret environment, or null. */
  readonly secretsOutput: string | null;
  /** Directories the app may write to. */
  readonly writable: readonly string[];
  /** Groups the app's processes have besides its own. */
  readonly supplementaryGroups: readonly string[];
  /** Units the app needs running first (its database's readiness unit). */
  readonly needs: readonly string[];
  /** OnFailure= for a unit (the notification unit for it, or nothing). */
  readonly onFailure: (unit: string) => string[];
  /** Steps run before start and reload: the user's preStart and the module's own. */
  readonly steps: readonly (readonly string[])[];
  /** What the app runs. */
  readonly command: readonly string[];
  /** Values whose change swaps the app's code or settings. */
  readonly changeTriggers: readonly unknown[];
}

function hardening(c: UnitContext) {
  const on = c.app.hardening;
  const yes = on ? true : null;
  return {
    NoNewPrivileges: yes,
    PrivateTmp: yes,
    PrivateDevices: yes,
    ProtectSystem: on ? ("strict" as const) : null,
    ProtectHome: on ? ("yes" as const) : null,
    ProtectKernelTunables: yes,
    ProtectKernelModules: yes,
    ProtectKernelLogs: yes,
    ProtectControlGroups: yes,
    ProtectHostname: yes,
    ProtectClock: yes,
    RestrictSUIDSGID: yes,
    RestrictRealtime: yes,
    RestrictNamespaces: yes,
    LockPersonality: yes,
    SystemCallArchitectures: on ? "native" : null,
    RestrictAddressFamilies: on ? ["AF_UNIX", "AF_INET", "AF_INET6"] : [],
    ReadWritePaths: on ? [...c.writable] : [],
    UMask: on ? "0027" : null,
  };
}

/** What every unit of the app shares: who, where, with what, how confined. */
function common(c: UnitContext, unit: string) {
  return {
    after: ["network.target", ...c.needs],
    requires: [...c.needs],
    unitConfig: { OnFailure: c.onFailure(unit) },
    environment: c.environment,
    secrets: c.secretsOutput ? [c.secretsOutput] : [],
    serviceConfig: {
      User: c.app.user,
      Group: c.app.group,
      SupplementaryGroups: [...c.supplementaryGroups],
      WorkingDirectory: c.app.workingDirectory,
      EnvironmentFile: c.secretsOutput ? [`/run/roost/secrets/${c.secretsOutput}`] : [],
      ...hardening(c),
    },
  };
}

export function appUnits(c: UnitContext) {
  const { name, app } = c;
  const main = `${name}.service`;
  // As root ("+"), outside the sandbox: start the setup unit and wait for it; it fails the start
  // (or the reload) when a step fails, and mails its own failure.
  const runSetup = c.steps.length ? [`+${execLine(["/bin/systemctl", "start", setupUnit(name)])}`] : [];
  const graceful = app.wsgi !== null;
  const limits = {
    MemoryMax: app.memoryMax,
    CPUQuota: app.cpuQuota,
    extraConfig: app.tasksMax !== null ? { TasksMax: String(app.tasksMax) } : ({} as Record<string, string>),
  };
  const base = common(c, main);
  const mainUnit = {
    [name]: {
      ...base,
      description: app.description || `${name} (app)`,
      wantedBy: ["multi-user.target"],
      serviceConfig: {
        ...base.serviceConfig,
        Type: "exec" as const,
        ExecStartPre: runSetup,
        ExecStart: [execLine(c.command)],
        // gunicorn on HUP starts new workers with the new code and settings, then lets the old
        // ones finish their requests: the listening socket never closes.
        ExecReload: graceful ? [...runSetup, `+${execLine(["/bin/systemctl", "kill", "--kill-who=main", "--signal=HUP", main])}`] : [],
        Restart: "on-failure" as const,
        RestartSec: 2,
        ...limits,
      },
      ...(graceful ? { reloadTriggers: [...c.changeTriggers] } : { restartTriggers: [...c.changeTriggers] }),
    },
  };
  const setup = common(c, setupUnit(name));
  const setupUnits = c.steps.length
    ? {
        [`${name}-setup`]: {
          ...setup,
          description: `${name}: steps before start and reload`,
          // Started by the app's ExecStartPre and ExecReload only, never by the activation: a restart
          // of this unit would be a restart of the app.
          wantedBy: [],
          restartIfChanged: false,
          serviceConfig: { ...setup.serviceConfig, Type: "oneshot" as const, ExecStart: c.steps.map((s) => execLine(s)), ...limits },
        },
      }
    : {};
  const timerUnits = Object.fromEntries(
    Object.entries(app.timers).map(([timer, job]) => {
      const unit = `${name}-${timer}`;
      const shared = common(c, `${unit}.service`);
      return [
        unit,
        {
          ...shared,
          description: `${name}: ${timer}`,
          startAt: [job.onCalendar],
          serviceConfig: { ...shared.serviceConfig, Type: "oneshot" as const, ExecStart: [execLine(job.command)], ...limits },
        },
      ];
    }),
  );
  return { ...mainUnit, ...setupUnits, ...timerUnits };
}

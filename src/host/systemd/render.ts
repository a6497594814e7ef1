import { RoostError, showPath } from "../../core/index.ts";
import type { HostConfig } from "../module.ts";
import { rootFile, sha256, type RenderedFile } from "../rendered.ts";
import { environmentLine, renderUnitFile, UnitValueError, type Section } from "./unit-file.ts";
import type { UnitValue } from "./unit-value.ts";

export interface UnitEntry {
  /** Hash of everything whose change restarts the unit: the unit file, its scripts, restartTriggers. */
  readonly sha256: string;
  /** Hash of reloadTriggers, or null: a change reloads the unit instead. */
  readonly reload: string | null;
  readonly restartIfChanged: boolean;
  readonly wantedBy: readonly string[];
  readonly requiredBy: readonly string[];
}

export const unitDir = "/etc/systemd/system";
export const scriptDir = "/etc/roost/units";

type Kind = "service" | "timer" | "socket" | "path" | "target";
type AnyUnit = HostConfig["systemd"]["targets"][string];

/** `secretVersions`: each secrets.<name> output's version; a unit that lists one restarts when it changes. */
export function renderUnits(
  config: HostConfig,
  secretVersions: ReadonlyMap<string, string> = new Map(),
): { files: RenderedFile[]; units: Record<string, UnitEntry> } {
  const files: RenderedFile[] = [];
  const units: Record<string, UnitEntry> = {};
  const kinds: [Kind, Record<string, AnyUnit>][] = [
    ["service", config.systemd.services],
    ["timer", config.systemd.timers],
    ["socket", config.systemd.sockets],
    ["path", config.systemd.paths],
    ["target", config.systemd.targets],
  ];
  for (const [kind, byName] of kinds) {
    for (const [name, unit] of Object.entries(byName)) {
      if (!unit.enable) continue;
      const option = showPath(["systemd", `${kind}s`, name]);
      const unitFile = `${name}.${kind}`;
      const service = kind === "service" ? (unit as HostConfig["systemd"]["services"][string]) : null;
      const scripts = service ? serviceScripts(unitFile, service, option) : [];
      const secrets = service?.secrets ?? [];
      for (const s of secrets) {
        if (!secretVersions.has(s))
          throw new RoostError(`${option}.secrets: there is no secrets.${s}`, [
            `secrets: ${[...secretVersions.keys()].join(", ") || "(none)"}`,
          ]);
      }
      const secretRevisions = secrets.map((s) => secretVersions.get(s)!);
      const reloadOnSecrets = service?.onSecretChange === "reload";
      let text: string;
      try {
        text = renderUnitFile(sectionsOf(kind, unit, scripts, secrets.length > 0), { specifiers: name.endsWith("@") });
      } catch (e) {
        if (e instanceof UnitValueError) throw new RoostError(`${option}: ${e.message}`, [`value: ${JSON.stringify(e.value)}`]);
        throw e;
      }
      const file = rootFile(`${unitDir}/${unitFile}`, text, option);
      files.push(file, ...scripts.map((s) => s.file));
      units[unitFile] = {
        sha256: sha256(
          [
            file.content,
            ...scripts.map((s) => s.file.content),
            JSON.stringify(unit.restartTriggers),
            ...(reloadOnSecrets ? [] : secretRevisions),
          ]
            .map((c) => sha256(c))
            .join("\n"),
        ),
        reload:
          unit.reloadTriggers.length || (reloadOnSecrets && secretRevisions.length)
            ? sha256(JSON.stringify([unit.reloadTriggers, reloadOnSecrets ? secretRevisions : []]))
            : null,
        restartIfChanged: kind === "service" ? (unit as HostConfig["systemd"]["services"][string]).restartIfChanged : true,
        wantedBy: [...unit.wantedBy].sort(),
        requiredBy: [...unit.requiredBy].sort(),
      };
    }
  }
  return { files, units };
}

interface Script {
  readonly key: "ExecStart" | "ExecStartPre";
  readonly file: RenderedFile;
}

function serviceScripts(unitFile: string, s: HostConfig["systemd"]["services"][string], option: string): Script[] {
  const out: Script[] = [];
  if (s.preStart !== null)
    out.push({ key: "ExecStartPre", file: rootFile(`${scriptDir}/${unitFile}/pre-start`, shellScript(s.preStart), option, "0755") });
  if (s.script !== null) {
    if (s.serviceConfig.ExecStart.length) throw new RoostError(`${option}: set script or serviceConfig.ExecStart, not both`);
    out.push({ key: "ExecStart", file: rootFile(`${scriptDir}/${unitFile}/start`, shellScript(s.script), option, "0755") });
  }
  return out;
}

function shellScript(body: string): string {
  return `#!/bin/sh\nset -eu\n${body.endsWith("\n") ? body : body + "\n"}`;
}

function sectionsOf(kind: Kind, unit: AnyUnit, scripts: readonly Script[], readsSecrets: boolean): Section[] {
  const afterSecrets = readsSecrets ? ["roost-secrets.service"] : [];
  const { extraConfig: unitExtra, ...unitTyped } = unit.unitConfig;
  const sections: Section[] = [
    [
      "Unit",
      [
        ["Description", unit.description || null],
        ["Documentation", unit.documentation],
        ["After", [...afterSecrets, ...unit.after]],
        ["Before", unit.before],
        ["Wants", [...afterSecrets, ...unit.wants]],
        ["Requires", unit.requires],
        ["BindsTo", unit.bindsTo],
        ["PartOf", unit.partOf],
        ["Conflicts", unit.conflicts],
        ...typedEntries(unitTyped),
        ...Object.entries(unitExtra),
      ],
    ],
  ];
  const typeSection = {
    service: ["Service", "serviceConfig"],
    timer: ["Timer", "timerConfig"],
    socket: ["Socket", "socketConfig"],
    path: ["Path", "pathConfig"],
    target: null,
  }[kind];
  if (typeSection) {
    const [section, key] = typeSection as [string, string];
    const { extraConfig, ...typed } = (unit as unknown as Record<string, Record<string, unknown>>)[key]!;
    const entries: [string, UnitValue | null][] = typedEntries(typed);
    if (kind === "service") {
      const s = unit as HostConfig["systemd"]["services"][string];
      for (const script of scripts) addFirst(entries, script.key, script.file.path);
      for (const k of Object.keys(s.environment).sort()) entries.push(["Environment", environmentLine(k, s.environment[k]!)]);
    }
    sections.push([section, [...entries, ...Object.entries(extraConfig as Record<string, UnitValue>)]]);
  }
  sections.push([
    "Install",
    [
      ["WantedBy", unit.wantedBy],
      ["RequiredBy", unit.requiredBy],
    ],
  ]);
  return sections;
}

function typedEntries(typed: Record<string, unknown>): [string, UnitValue | null][] {
  return Object.keys(typed).map((k) => [k, typed[k] as UnitValue | null]);
}

function addFirst(entries: [string, UnitValue | null][], key: string, value: string): void {
  const i = entries.findIndex(([k]) => k === key);
  if (i < 0) entries.push([key, [value]]);
  else entries[i] = [key, [value, ...((entries[i]![1] as string[] | null) ?? [])]];
}

import { checkAssertions, RoostError, RoostErrors, type Evaluation } from "../core/index.ts";
import { renderDirectories } from "../host/directories/render.ts";
import { renderFiles } from "../host/files/render.ts";
import { rulesetPath } from "../host/firewall/ruleset.ts";
import { renderHealthChecks } from "../host/health/render.ts";
import type { HostConfig } from "../host/module.ts";
import { renderPackages } from "../host/packages/render.ts";
import { sha256, type RenderedFile } from "../host/rendered.ts";
import { renderUnits } from "../host/systemd/render.ts";
import { renderUsers } from "../host/users/render.ts";
import { canonicalJson, type Manifest } from "./manifest.ts";

/** A host's generation: its manifest, the files it lists, and the id that names it. */
export interface HostGeneration {
  readonly host: string;
  readonly id: string;
  readonly manifest: Manifest;
  readonly manifestJson: string;
  readonly files: ReadonlyMap<string, RenderedFile>;
  readonly warnings: readonly string[];
}

/**
 * Evaluate everything a host needs and render it. Unknown options, type errors and failed
 * assertions are all reported, together, before anything is rendered.
 */
export function buildHost(host: string, ev: Evaluation<HostConfig>): HostGeneration {
  const warnings = evaluateAll(ev);
  const config = ev.config;

  const units = renderUnits(config);
  const dirs = renderDirectories(config);
  const pkgs = renderPackages(config);
  const files = collectFiles([...renderFiles(config), ...units.files, ...dirs.files, ...pkgs.files]);
  const { users, groups } = renderUsers(config);
  const firewallFile = files.get(rulesetPath);

  const manifest: Manifest = {
    format: 1,
    host,
    files: Object.fromEntries(
      [...files.values()].map((f) => [f.path, { sha256: sha256(f.content), size: f.content.length, mode: f.mode, owner: f.owner, group: f.group }]),
    ),
    units: units.units,
    users,
    groups,
    directories: dirs.directories,
    packages: pkgs.packages,
    aptRepositories: pkgs.aptRepositories,
    firewall: config.networking.firewall.enable && firewallFile ? { path: rulesetPath, sha256: sha256(firewallFile.content) } : null,
    healthChecks: renderHealthChecks(config),
    deployment: { confirmTimeout: config.deployment.confirmTimeout, keepGenerations: config.deployment.keepGenerations },
  };
  const manifestJson = canonicalJson(manifest);
  return { host, id: sha256(manifestJson).slice(0, 32), manifest, manifestJson, files, warnings };
}

/**
 * Read every option that something defines, so that an error in an option no service reads yet is
 * still found, then the assertions. Throws every error found, deduplicated, at once.
 */
function evaluateAll(ev: Evaluation<HostConfig>): string[] {
  const unknownOptions = ev.check();
  const errors: RoostError[] = [...unknownOptions];
  const seen = new Set(errors.map((e) => e.format()));
  const add = (e: unknown) => {
    if (!(e instanceof RoostError)) throw e;
    const parts = e instanceof RoostErrors ? e.errors : [e];
    for (const part of parts) if (!seen.has(part.format())) seen.add(part.format()), errors.push(part);
  };
  if (errors.length === 0) {
    for (const path of ev.definedOptions()) {
      try {
        ev.value(path);
      } catch (e) {
        add(e);
      }
    }
  }
  let warnings: string[] = [];
  if (unknownOptions.length === 0) {
    try {
      const report = checkAssertions(ev);
      for (const f of report.failed) add(new RoostError(`assertion failed: ${f.message}`, [`defined in ${f.site}`]));
      warnings = report.warnings.map((w) => `${w.message} (${w.site})`);
    } catch (e) {
      add(e);
    }
  }
  if (errors.length) throw errors.length === 1 ? errors[0]! : new RoostErrors(errors);
  return warnings;
}

/** Every file once: two options that render the same path are an error naming both. */
function collectFiles(rendered: readonly RenderedFile[]): Map<string, RenderedFile> {
  const byPath = new Map<string, RenderedFile>();
  for (const f of [...rendered].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const other = byPath.get(f.path);
    if (other) throw new RoostError(`${f.path} is rendered twice`, [`by ${other.from}`, `by ${f.from}`], "a path can belong to one option only");
    byPath.set(f.path, f);
  }
  return byPath;
}

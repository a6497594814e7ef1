import { checkAssertions, ReadThroughError, RoostError, RoostErrors, type Evaluation } from "../core/index.ts";
import { renderDirectories } from "../host/directories/render.ts";
import { renderFiles } from "../host/files/render.ts";
import { rulesetPath } from "../host/firewall/ruleset.ts";
import { renderHealthChecks } from "../host/health/render.ts";
import type { HostConfig } from "../host/module.ts";
import { renderPackages } from "../host/packages/render.ts";
import { contentHash, sha256, type RenderedFile } from "../host/rendered.ts";
import { renderUnits } from "../host/systemd/render.ts";
import { renderUsers } from "../host/users/render.ts";
import { renderSecrets, type SecretSource } from "../host/secrets/render.ts";
import { canonicalJson, type Manifest } from "./manifest.ts";

/** A host's generation: its manifest, the files it lists, and the id that names it. */
export interface HostGeneration {
  readonly host: string;
  readonly id: string;
  readonly manifest: Manifest;
  readonly manifestJson: string;
  readonly files: ReadonlyMap<string, RenderedFile>;
  /** Files of the generation directory itself, beside the manifest (the secrets' ciphertexts). */
  readonly data: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
  /** Commands `roost check` runs against the files (validators.<name>); not part of the manifest or the id. */
  readonly validators: Readonly<Record<string, { readonly command: readonly string[]; readonly package: string | null }>>;
}

export interface BuildContext {
  /** The fleet's secrets (ciphertexts only); null when the fleet has none. */
  readonly secrets: SecretSource | null;
  /** The host's pinned SSH host key, which its secrets are encrypted to. */
  readonly hostKey: string | undefined;
  /** Directories that files.<path>.source may read from; absent: anywhere (tests, direct API use). */
  readonly sourceRoots?: () => readonly string[];
}

/**
 * Evaluate everything a host needs and render it. Unknown options, type errors and failed
 * assertions are all reported, together, before anything is rendered.
 */
export function buildHost(
  host: string,
  ev: Evaluation<HostConfig>,
  context: BuildContext = { secrets: null, hostKey: undefined },
): HostGeneration {
  const warnings = evaluateAll(ev);
  const config = ev.config;

  const secrets = renderSecrets(config, host, context.hostKey, context.secrets);
  const units = renderUnits(config, new Map(Object.entries(secrets.entries).map(([n, e]) => [n, e.version])));
  const dirs = renderDirectories(config);
  const pkgs = renderPackages(config);
  const files = collectFiles(
    [...renderFiles(config, context.sourceRoots ?? null), ...units.files, ...dirs.files, ...pkgs.files],
    dirs.directories,
  );
  const { users, groups } = renderUsers(config);
  const firewallFile = files.get(rulesetPath);

  const manifest: Manifest = {
    format: 1,
    host,
    files: Object.fromEntries(
      [...files.values()].map((f) => [
        f.path,
        {
          sha256: contentHash(f),
          size: f.download ? null : f.content.length,
          ...(f.download ? { url: f.download.url } : {}),
          mode: f.mode,
          owner: f.owner,
          group: f.group,
        },
      ]),
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
    secrets: secrets.entries,
  };
  const manifestJson = canonicalJson(manifest);
  // The id covers the ciphertexts too: a rekey is a new generation.
  const id = sha256(
    [
      manifestJson,
      ...Object.keys(secrets.data)
        .sort()
        .map((k) => `${k}\n${secrets.data[k]}`),
    ].join("\0"),
  ).slice(0, 32);
  const validators = Object.fromEntries(Object.entries(config.validators).map(([n, v]) => [n, { command: v.command, package: v.package }]));
  return { host, id, manifest, manifestJson, files, data: secrets.data, warnings, validators };
}

/**
 * Read every option that something defines, so that an error in an option no service reads yet is
 * still found, then the assertions. Throws every error found, deduplicated, at once.
 */
function evaluateAll(ev: Evaluation<HostConfig>): string[] {
  const unknownOptions = ev.check();
  const errors: RoostError[] = [...unknownOptions];
  // Another host's error counts once, however many options read it.
  const key = (e: RoostError) => (e instanceof ReadThroughError ? `${e.via.join("\0")}\0${e.origin.format()}` : e.format());
  const seen = new Set(errors.map(key));
  const add = (e: unknown) => {
    if (!(e instanceof RoostError)) throw e;
    const parts = e instanceof RoostErrors ? e.errors : [e];
    for (const part of parts) if (!seen.has(key(part))) seen.add(key(part)), errors.push(part);
  };
  if (errors.length === 0) {
    let defined: ReturnType<typeof ev.definedOptions> = [];
    try {
      // Finding what is defined reads definitions written as getters, which may fail themselves.
      defined = ev.definedOptions();
    } catch (e) {
      add(e);
    }
    for (const path of defined) {
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
      for (const f of report.failed)
        add(
          new RoostError(`assertion failed: ${f.message}`, [
            ...f.about.map((a) => `${a.path}: ${a.sites.length ? `defined at ${a.sites.join(", ")}` : "its default"}`),
            `checked in ${f.site}`,
          ]),
        );
      warnings = report.warnings.map((w) => `${w.message} (${w.site})`);
    } catch (e) {
      add(e);
    }
  }
  if (errors.length) throw errors.length === 1 ? errors[0]! : new RoostErrors(errors);
  return warnings;
}

/**
 * Every file once: two options that render the same path, a file under another file, or a file
 * where a directory is declared are errors naming both.
 */
function collectFiles(rendered: readonly RenderedFile[], directories: Readonly<Record<string, unknown>>): Map<string, RenderedFile> {
  const byPath = new Map<string, RenderedFile>();
  for (const f of [...rendered].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const other = byPath.get(f.path);
    if (other)
      throw new RoostError(`${f.path} is rendered twice`, [`by ${other.from}`, `by ${f.from}`], "a path can belong to one option only");
    byPath.set(f.path, f);
  }
  const ancestors = (p: string) =>
    p
      .split("/")
      .slice(1, -1)
      .map((_, i, parts) => "/" + parts.slice(0, i + 1).join("/"));
  for (const f of byPath.values()) {
    if (Object.hasOwn(directories, f.path))
      throw new RoostError(
        `${f.path} is both a file (${f.from}) and a directory (directories.${JSON.stringify(f.path)})`,
        [],
        "a path can belong to one option only",
      );
    for (const dir of ancestors(f.path)) {
      const parent = byPath.get(dir);
      if (parent)
        throw new RoostError(
          `${f.path} (${f.from}) would be written inside the file ${dir} (${parent.from})`,
          [],
          "a file cannot also be a directory",
        );
    }
  }
  for (const dir of Object.keys(directories)) {
    for (const above of ancestors(dir)) {
      const parent = byPath.get(above);
      if (parent)
        throw new RoostError(
          `the directory ${dir} (directories.${JSON.stringify(dir)}) would be inside the file ${above} (${parent.from})`,
          [],
          "a file cannot also be a directory",
        );
    }
  }
  return byPath;
}

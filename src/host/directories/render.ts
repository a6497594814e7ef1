import type { HostConfig } from "../module.ts";
import { rootFile, type RenderedFile } from "../rendered.ts";

export interface DirectoryEntry {
  readonly mode: string;
  readonly owner: string;
  readonly group: string;
}

export const tmpfilesPath = "/etc/tmpfiles.d/roost.conf";

/** One tmpfiles.d file: the host applies it at activation and at every boot. */
export function renderDirectories(config: HostConfig): { files: RenderedFile[]; directories: Record<string, DirectoryEntry> } {
  const entries = Object.entries(config.directories).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return { files: [], directories: {} };
  const lines = entries.map(([path, d]) =>
    [d.removeOnBoot ? "D" : "d", quoteTmpfilesPath(path), d.mode, d.owner, d.group, d.age ?? "-"].join(" "),
  );
  return {
    files: [rootFile(tmpfilesPath, `# Rendered by roost.\n${lines.join("\n")}\n`, "directories")],
    directories: Object.fromEntries(entries.map(([path, d]) => [path, { mode: d.mode, owner: d.owner, group: d.group }])),
  };
}

/**
 * A path as tmpfiles.d reads it back: % doubled (it expands specifiers such as %h), quoted with C
 * escapes when it holds spaces or quotes (the path type already refuses control characters).
 */
export function quoteTmpfilesPath(path: string): string {
  const literal = path.replace(/%/g, "%%");
  return /[\s"'\\]/.test(literal) ? `"${literal.replace(/[\\"]/g, (c) => `\\${c}`)}"` : literal;
}

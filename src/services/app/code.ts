// An app's code, shipped file by file from a directory beside the fleet: each file becomes a
// `files` entry whose content the build reads (and checks is under the fleet's directory), and its
// hash becomes a reload trigger, so a change of one file reloads the app instead of restarting it.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface CodeFile {
  /** Path relative to the code directory, with / separators. */
  readonly relative: string;
  readonly source: string;
  readonly sha256: string;
}

/** Left out: version control and editor files, Python's byte-code caches, anything starting with a dot. */
const skipped = (name: string) => name.startsWith(".") || name === "__pycache__" || name.endsWith(".pyc");

/** Every regular file under `root`, sorted, with its content's hash; throws when `root` cannot be read. */
export function codeFiles(root: string): CodeFile[] {
  const out: CodeFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (skipped(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile())
        out.push({
          relative: path.relative(root, full).split(path.sep).join("/"),
          source: full,
          sha256: createHash("sha256").update(readFileSync(full)).digest("hex"),
        });
    }
  };
  walk(root);
  return out;
}

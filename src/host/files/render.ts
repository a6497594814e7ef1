import { readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { RoostError, showPath } from "../../core/index.ts";
import type { HostConfig } from "../module.ts";
import type { RenderedFile } from "../rendered.ts";

/** `sourceRoots`: the directories `source` files may come from (the fleet's, Roost's); null: anywhere. */
export function renderFiles(config: HostConfig, sourceRoots: (() => readonly string[]) | null = null): RenderedFile[] {
  return Object.entries(config.files).map(([path, f]) => {
    const from = showPath(["files", path]);
    const owned = { path, mode: f.mode, owner: f.owner, group: f.group, from };
    if (f.url !== null) return { ...owned, content: Buffer.alloc(0), download: { url: f.url, sha256: f.sha256! } };
    return { ...owned, content: f.text !== null ? Buffer.from(f.text, "utf8") : readSource(from, f.source!, sourceRoots) };
  });
}

const maxSourceBytes = 64 * 1024 * 1024;

function readSource(from: string, source: string, sourceRoots: (() => readonly string[]) | null): Buffer {
  const refuse = (why: string, hint = "source must name a file on the machine that runs roost") =>
    new RoostError(`${from}.source: cannot read ${source}`, [why], hint);
  let real: string;
  try {
    real = realpathSync(source);
    const st = statSync(real);
    if (!st.isFile()) throw refuse("it is not a regular file");
    if (st.size > maxSourceBytes) throw refuse(`it is larger than ${maxSourceBytes / 1024 / 1024} MiB`);
  } catch (e) {
    if (e instanceof RoostError) throw e;
    throw refuse((e as NodeJS.ErrnoException).code ?? String(e));
  }
  const roots = sourceRoots?.();
  if (roots && !roots.some((r) => real === r || real.startsWith(r.endsWith(path.sep) ? r : r + path.sep))) {
    throw refuse(
      `it is outside the fleet's directory (${roots[0]})`,
      "keep files a host receives beside the fleet file, so a module cannot ship any file of this machine",
    );
  }
  return readFileSync(real);
}

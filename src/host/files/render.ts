import { readFileSync } from "node:fs";
import { RoostError, showPath } from "../../core/index.ts";
import type { HostConfig } from "../module.ts";
import type { RenderedFile } from "../rendered.ts";

export function renderFiles(config: HostConfig): RenderedFile[] {
  return Object.entries(config.files).map(([path, f]) => {
    const from = showPath(["files", path]);
    return { path, content: f.text !== null ? Buffer.from(f.text, "utf8") : readSource(from, f.source!), mode: f.mode, owner: f.owner, group: f.group, from };
  });
}

function readSource(from: string, source: string): Buffer {
  try {
    return readFileSync(source);
  } catch (e) {
    throw new RoostError(`${from}.source: cannot read ${source}`, [(e as NodeJS.ErrnoException).code ?? String(e)], "source must name a file on the machine that runs roost");
  }
}

// Stack frames of the bundle (dist/) and of compiled fleet files, mapped back to the TypeScript
// they came from, on demand. Node can do this for every frame (process.setSourceMapsEnabled), but
// then it reads and parses the source map of every module as it loads, which costs a CLI run about
// a tenth of a second whether or not a location is ever shown; here a map is read the first time a
// frame of its file is shown, and kept.
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceLocation } from "./location.ts";

const maps = new Map<string, SourceMap | null>();
const marker = "//# sourceMappingURL=";

/** The source map of a generated file: inline (a data: URL) or a file beside it; null when it has none. */
function mapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map !== undefined) return map;
  map = null;
  try {
    const text = readFileSync(file, "utf8");
    const at = text.lastIndexOf(marker);
    if (at >= 0) {
      const url = text.slice(at + marker.length).trim();
      const json = url.startsWith("data:")
        ? Buffer.from(url.slice(url.indexOf(",") + 1), "base64").toString("utf8")
        : readFileSync(path.resolve(path.dirname(file), url), "utf8");
      map = new SourceMap(JSON.parse(json));
    }
  } catch {
    // Unreadable file or map: its frames stay as they are.
  }
  maps.set(file, map);
  return map;
}

/** Where a position of a generated JavaScript file was written; the position itself for any other file. */
export function originalLocation(loc: SourceLocation): SourceLocation {
  if (!/\.[cm]?js$/.test(loc.file)) return loc;
  const entry = mapOf(loc.file)?.findEntry(loc.line - 1, loc.column - 1);
  if (!entry || !("originalSource" in entry) || typeof entry.originalSource !== "string") return loc;
  const source = entry.originalSource;
  return {
    file: source.startsWith("file://") ? fileURLToPath(source) : path.resolve(path.dirname(loc.file), source),
    line: entry.originalLine + 1,
    column: entry.originalColumn + 1,
  };
}

const frame = /^(\s+at (?:.*? \()?)((?:file:\/\/)?\/[^\s()]+):(\d+):(\d+)(\)?)$/;

/** A stack trace with each frame of a generated file replaced by the place in its source. */
export function mapStack(stack: string): string {
  return stack
    .split("\n")
    .map((line) => {
      const m = frame.exec(line);
      if (!m) return line;
      const file = m[2]!.startsWith("file://") ? fileURLToPath(m[2]!) : m[2]!;
      const loc = originalLocation({ file, line: Number(m[3]), column: Number(m[4]) });
      return loc.file === file && loc.line === Number(m[3]) ? line : `${m[1]}${loc.file}:${loc.line}:${loc.column}${m[5]}`;
    })
    .join("\n");
}

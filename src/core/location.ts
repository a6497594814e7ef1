import path from "node:path";
import { fileURLToPath } from "node:url";
import type { OptionPath } from "./path.ts";
import { originalLocation } from "./source-map.ts";
import { locateOption } from "./source-position.ts";

/** Where a definition or declaration was written: file, line and column of the user's source. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * The module system's own directory, as frames map back to it: this file's directory when Roost
 * runs from its sources, and src/core beside the bundle's dist/ when it runs from the bundle
 * (whose source maps name the sources relative to dist/). Frames there are the module system's own.
 */
const here = fileURLToPath(import.meta.url);
const coreDir = here.endsWith(".ts") ? path.dirname(here) : path.resolve(path.dirname(here), "../src/core");
const indexFile = path.join(path.dirname(coreDir), "index.ts");

const fileOf = (f: string) => (f.startsWith("file://") ? fileURLToPath(f) : f);

/**
 * A captured call site. V8 records the frames when it is made but formats them (and maps them
 * through source maps) only when `.stack` is first read, so capturing is cheap and the cost is
 * paid only for locations that an error message actually prints.
 */
export class CallSite {
  #holder: { stack?: string };
  #resolved: SourceLocation | null | undefined;

  constructor(skip: Function) {
    this.#holder = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 8;
    Error.captureStackTrace(this.#holder, skip);
    Error.stackTraceLimit = limit;
  }

  /** The first frame outside the module system itself, or null when none is known. */
  get location(): SourceLocation | null {
    if (this.#resolved === undefined) this.#resolved = firstUserFrame(this.#holder.stack ?? "");
    return this.#resolved;
  }

  toString(): string {
    return formatLocation(this.location);
  }

  /** The place inside this call where the option at `path` is written, when the source shows it. */
  at(path: OptionPath): CallSite {
    return new OptionSite(this, path);
  }
}

class OptionSite extends CallSite {
  #resolved: SourceLocation | null | undefined;
  constructor(
    readonly base: CallSite,
    readonly path: OptionPath,
  ) {
    super(OptionSite);
  }
  override get location(): SourceLocation | null {
    if (this.#resolved === undefined) {
      const loc = this.base.location;
      this.#resolved = loc && locateOption(loc, this.path);
    }
    return this.#resolved;
  }
}

/** A call site that is already known, e.g. a file that values were read from. */
export class FixedSite extends CallSite {
  readonly #location: SourceLocation | null;
  constructor(location: SourceLocation | null) {
    super(FixedSite);
    this.#location = location;
  }
  override get location(): SourceLocation | null {
    return this.#location;
  }
}

const framePattern = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?$/;

/** The first frame outside the module system; a frame inside it when it declares things itself. */
function firstUserFrame(stack: string): SourceLocation | null {
  let fallback: SourceLocation | null = null;
  for (const line of stack.split("\n").slice(1)) {
    const m = framePattern.exec(line.trim());
    if (!m || m[1]!.startsWith("node:")) continue;
    const loc = originalLocation({ file: fileOf(m[1]!), line: Number(m[2]), column: Number(m[3]) });
    if (loc.file.includes("/node_modules/")) continue;
    if (loc.file.startsWith(coreDir + path.sep) || loc.file === indexFile) {
      fallback ??= loc;
      continue;
    }
    return loc;
  }
  return fallback;
}

export function formatLocation(loc: SourceLocation | null, cwd = process.cwd()): string {
  if (!loc) return "<unknown location>";
  const rel = path.relative(cwd, loc.file);
  const shown = rel.startsWith("..") ? loc.file : rel;
  return `${shown}:${loc.line}:${loc.column}`;
}

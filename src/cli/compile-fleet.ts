import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { RoostError } from "../core/index.ts";
import { packageRoot } from "../package-root.ts";

const runningFromSources = import.meta.url.endsWith(".ts");

/**
 * import() of a module outside the bundle (a fleet file, esbuild). The bundle runs as a script
 * (bin/load.js), which cannot import by itself: the loader lends it its own import().
 */
function importOutside(specifier: string): Promise<unknown> {
  const lent = (globalThis as { [key: symbol]: ((s: string) => Promise<unknown>) | undefined })[Symbol.for("roost.import")];
  return lent ? lent(specifier) : import(specifier);
}

/**
 * Import a TypeScript file of the user's (a fleet, a scenario). From the bundle, esbuild compiles
 * it with its local imports into a cached module whose "roost" imports are the running Roost
 * itself, and whose import.meta.url is still each file's own; source maps keep file:line exact.
 * From the sources (tests, development), tsx already loads TypeScript.
 */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  const absolute = path.resolve(file);
  if (runningFromSources) return (await importOutside(pathToFileURL(absolute).href)) as Record<string, unknown>;
  const { ensureCompiled } = await compiler();
  return (await importOutside(pathToFileURL(await ensureCompiled(absolute)).href)) as Record<string, unknown>;
}

interface EsbuildMessage {
  readonly text: string;
  readonly location: { readonly file: string; readonly line: number; readonly column: number; readonly lineText: string } | null;
}

/** esbuild's first error as Roost's: the place, the line and a caret under the column. */
function compileError(e: unknown): unknown {
  const first = (e as { errors?: readonly EsbuildMessage[] }).errors?.[0];
  if (!first) return e;
  const loc = first.location;
  if (!loc) return new RoostError(first.text);
  const number = String(loc.line);
  return new RoostError(`${first.text}`, [
    `in ${loc.file}:${loc.line}:${loc.column + 1}`,
    `${number} | ${loc.lineText}`,
    `${" ".repeat(number.length)} | ${" ".repeat(loc.column)}^`,
  ]);
}

async function compiler() {
  const { fresh, writeStamp, esbuildCommon } = (await importOutside(pathToFileURL(path.join(packageRoot, "bin/bundle.js")).href)) as {
    fresh(stamp: string): boolean;
    writeStamp(stamp: string, metafile: unknown, base: string): void;
    esbuildCommon: Record<string, unknown>;
  };
  const { privateDir } = (await importOutside(pathToFileURL(path.join(packageRoot, "bin/load.js")).href)) as {
    privateDir(name: string): string | null;
  };
  // Compiled modules are run: only from a directory that is this user's alone.
  const cache = privateDir("modules");
  if (!cache)
    throw new RoostError(`cannot keep compiled fleet files in ${path.join(tmpdir(), `roost-${userInfo().uid}`)}`, [
      "it exists but is not a directory of this user's with mode 0700",
    ]);
  const roostEntries: Record<string, string> = {
    roost: path.join(packageRoot, "dist/index.js"),
    "roost/testing": path.join(packageRoot, "dist/testing/index.js"),
  };
  return {
    async ensureCompiled(entry: string): Promise<string> {
      const name = createHash("sha256").update(entry).update(packageRoot).digest("hex").slice(0, 20);
      const out = path.join(cache, `${name}.mjs`);
      const stamp = path.join(cache, `${name}.json`);
      if (fresh(stamp)) return out;
      const { build } = (await importOutside("esbuild")) as typeof import("esbuild");
      const result = await build({
        ...esbuildCommon,
        // Its errors become one RoostError below instead of being printed here as well.
        logLevel: "silent",
        entryPoints: [entry],
        outfile: out,
        write: false,
        metafile: true,
        plugins: [
          {
            name: "roost",
            setup(b) {
              b.onResolve({ filter: /^roost(\/testing)?$/ }, (args) => ({ path: roostEntries[args.path]!, external: true }));
              b.onResolve({ filter: /^roost\/services\/[a-z0-9-]+$/ }, (args) => ({
                path: path.join(packageRoot, "dist", args.path.slice("roost/".length), "index.js"),
                external: true,
              }));
              b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
                if (
                  args.path.includes(`${path.sep}node_modules${path.sep}`) ||
                  args.path.startsWith(path.join(packageRoot, "src") + path.sep)
                )
                  return undefined;
                const url = JSON.stringify(pathToFileURL(args.path).href);
                const contents = readFileSync(args.path, "utf8")
                  .replaceAll("import.meta.url", url)
                  .replaceAll("import.meta.filename", JSON.stringify(args.path))
                  .replaceAll("import.meta.dirname", JSON.stringify(path.dirname(args.path)));
                return { contents, loader: args.path.endsWith("ts") ? "ts" : "js" };
              });
            },
          },
        ],
      }).catch((e: unknown) => {
        throw compileError(e);
      });
      // Written aside and renamed: another roost process may be reading the previous one.
      const tmp = `${out}.${process.pid}`;
      writeFileSync(tmp, result.outputFiles[0]!.contents);
      renameSync(tmp, out);
      writeStamp(stamp, result.metafile, process.cwd());
      return out;
    },
  };
}

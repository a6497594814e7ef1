// Roost's bundle (dist/roost.cjs, built by bundle.js) loaded as one script through V8's code cache:
// a command then starts from compiled code instead of parsing and compiling half a megabyte of
// JavaScript on every run. The entry files in dist/ (index.js, cli/main.js, services/<name>/index.js)
// all read the one instance loaded here, so the CLI and the fleets it loads share every module.
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const instance = Symbol.for("roost.bundle");
const importer = Symbol.for("roost.import");

/** The bundle's modules by entry: index, testing, cli, services/<name>; each initialized when first read. */
export function roost() {
  globalThis[instance] ??= load(fileURLToPath(new URL("../dist/roost.cjs", import.meta.url)));
  return globalThis[instance];
}

/**
 * A directory of this user's under the system's temporary directory, made private (0700) if new.
 * Null when it exists but is not this user's own private directory: nothing there is trusted.
 */
export function privateDir(name) {
  const { uid } = userInfo();
  const base = path.join(tmpdir(), `roost-${uid}`);
  try {
    for (const dir of [base, path.join(base, name)]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const s = lstatSync(dir);
      if (!s.isDirectory() || s.uid !== uid || (s.mode & 0o077) !== 0) return null;
    }
  } catch {
    return null;
  }
  return path.join(base, name);
}

function load(file) {
  const source = readFileSync(file, "utf8");
  // V8 checks a cache against the source's length only: the cache file begins with the identity
  // of the bundle it was made from (one file, renamed into place, so the two always agree).
  const s = statSync(file);
  const identity = [s.ino, s.size, s.mtimeMs, process.version, process.arch].join(":");
  const dir = privateDir("code-cache");
  const cacheFile = dir && path.join(dir, `${createHash("sha256").update(file).digest("hex").slice(0, 20)}.bin`);
  const { cachedData, commands } = readCache(cacheFile, identity);
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
  // A script cannot import() by itself; the bundle imports fleet files and esbuild through this.
  globalThis[importer] = (specifier) => import(specifier);
  // The cache holds what was compiled by the time it was written: it is written again at the end
  // of the first run of each command, so it comes to cover every command that was used.
  const command = process.argv.slice(2).find((a) => /^[a-z]+$/.test(a)) ?? "";
  const valid = cachedData && !script.cachedDataRejected;
  if (cacheFile && (!valid || !commands.includes(command)))
    process.once("exit", () => {
      try {
        const header = `${identity}\n${JSON.stringify([...new Set([...(valid ? commands : []), command])])}\n`;
        const tmp = `${cacheFile}.${process.pid}`;
        writeFileSync(tmp, Buffer.concat([Buffer.from(header), script.createCachedData()]), { mode: 0o600 });
        renameSync(tmp, cacheFile);
      } catch {
        // No cache this time: the next run compiles again.
      }
    });
  return module.exports;
}

/** The cache made from this bundle, and the commands whose runs wrote it; none for another bundle. */
function readCache(file, identity) {
  const none = { cachedData: undefined, commands: [] };
  let data;
  try {
    data = file ? readFileSync(file) : undefined;
  } catch {
    return none;
  }
  if (!data) return none;
  const first = data.indexOf(10);
  const second = data.indexOf(10, first + 1);
  if (first < 0 || second < 0 || data.subarray(0, first).toString() !== identity) return none;
  try {
    return { cachedData: data.subarray(second + 1), commands: JSON.parse(data.subarray(first + 1, second).toString()) };
  } catch {
    return none;
  }
}

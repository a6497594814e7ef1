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
  const base = path.join(tmpdir(), `roost-${userInfo().uid}`);
  try {
    for (const dir of [base, path.join(base, name)]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const s = lstatSync(dir);
      if (!s.isDirectory() || s.uid !== userInfo().uid || (s.mode & 0o077) !== 0) return null;
    }
  } catch {
    return null;
  }
  return path.join(base, name);
}

function load(file) {
  const source = readFileSync(file, "utf8");
  // V8 checks a cache's version and the source's length only: the name holds the bundle's identity.
  const s = statSync(file);
  const id = createHash("sha256")
    .update([file, s.ino, s.size, s.mtimeMs, process.version, process.arch].join("\0"))
    .digest("hex")
    .slice(0, 20);
  const dir = privateDir("code-cache");
  const cacheFile = dir && path.join(dir, `${id}.bin`);
  const seenFile = dir && path.join(dir, `${id}.json`);
  const read = (f, as) => {
    try {
      return f ? readFileSync(f, as) : undefined;
    } catch {
      return undefined;
    }
  };
  const cachedData = read(cacheFile);
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
  // A script cannot import() by itself; the bundle imports fleet files and esbuild through this.
  globalThis[importer] = (specifier) => import(specifier);
  // The cache holds what was compiled by the time it was written: it is written again at the end
  // of the first run of each command, so it comes to cover every command that was used.
  const command = process.argv.slice(2).find((a) => /^[a-z]+$/.test(a)) ?? "";
  const seen = JSON.parse(read(seenFile, "utf8") ?? "[]");
  if (cacheFile && (!cachedData || script.cachedDataRejected || !seen.includes(command)))
    process.once("exit", () => {
      try {
        const tmp = `${cacheFile}.${process.pid}`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, cacheFile);
        const kept = cachedData && !script.cachedDataRejected ? seen : [];
        writeFileSync(seenFile, JSON.stringify([...new Set([...kept, command])]), { mode: 0o600 });
      } catch {
        // No cache this time: the next run compiles again.
      }
    });
  return module.exports;
}

// Roost runs from a bundle of its TypeScript sources (dist/), built by esbuild on first use and
// rebuilt when a source changes: starting the CLI then costs plain Node's start-up, not a loader's.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const stampFile = path.join(dist, "inputs.json");
const entry = path.join(dist, "cli/main.js");
// An installed copy (npm puts it under node_modules) runs the bundle it was packed with: its
// sources' times and its dependencies' places differ from the checkout that built it.
const installed = root.split(path.sep).includes("node_modules");

/**
 * What every module Roost compiles shares: one ESM file for Node 20 with inline source maps (so
 * messages point at the TypeScript) and a require() for bundled CommonJS packages.
 */
export const esbuildCommon = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "inline",
  sourcesContent: false,
  metafile: true,
  logLevel: "error",
  banner: { js: 'import { createRequire as __roostRequire } from "node:module"; const require = __roostRequire(import.meta.url);' },
};

/** The bundle's CLI entry, built first when missing or stale. */
export async function ensureBundle() {
  if (!(installed && existsSync(entry)) && !fresh(stampFile)) await build();
  return pathToFileURL(entry).href;
}

/** True when every input recorded in a stamp file still has the recorded size and mtime. */
export function fresh(stamp) {
  if (!existsSync(stamp)) return false;
  try {
    const { inputs } = JSON.parse(readFileSync(stamp, "utf8"));
    return inputs.every(([file, mtime, size]) => {
      const s = statSync(file);
      return s.mtimeMs === mtime && s.size === size;
    });
  } catch {
    return false;
  }
}

/**
 * Record the inputs of an esbuild metafile. Files of installed packages are stood for by their
 * node_modules/.package-lock.json, which npm rewrites on every install: one stat instead of hundreds
 * on every start.
 */
export function writeStamp(stamp, metafile, base) {
  const files = new Set();
  for (const f of Object.keys(metafile.inputs)) {
    const file = path.resolve(base, f);
    const at = file.indexOf(`${path.sep}node_modules${path.sep}`);
    const lock = at >= 0 ? path.join(file.slice(0, at), "node_modules", ".package-lock.json") : null;
    files.add(lock && existsSync(lock) ? lock : file);
  }
  const inputs = [...files].map((file) => {
    const s = statSync(file);
    return [file, s.mtimeMs, s.size];
  });
  writeFileSync(stamp, JSON.stringify({ inputs }));
}

/** Each service module (src/services/<name>/index.ts) as its own entry, imported by fleets as roost/services/<name>. */
function serviceEntries() {
  const dir = path.join(root, "src/services");
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, "index.ts")))
      .map((e) => [`services/${e.name}/index`, `src/services/${e.name}/index.ts`]),
  );
}

async function build() {
  const { buildSync } = await import("esbuild");
  const tmp = `${dist}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  // Every entry in one CommonJS script (load.js runs it through V8's code cache), each module
  // initialized when first required: a command runs only the modules it uses.
  const entries = {
    index: "src/index.ts",
    "testing/index": "src/testing/index.ts",
    "cli/main": "src/cli/main.ts",
    ...serviceEntries(),
  };
  const getters = Object.entries(entries).map(
    ([name, file]) => `  get ${JSON.stringify(name)}() { return require(${JSON.stringify(`./${file}`)}); },`,
  );
  const result = buildSync({
    ...esbuildCommon,
    absWorkingDir: root,
    format: "cjs",
    stdin: { contents: `module.exports = {\n${getters.join("\n")}\n};\n`, resolveDir: root, sourcefile: "roost-entries.js", loader: "js" },
    outfile: path.join(tmp, "roost.cjs"),
    // Every module's import.meta.url is the bundle's own, as in an ES module bundle.
    banner: { js: 'const __roostBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    define: { "import.meta.url": "__roostBundleUrl" },
    // Maps beside the bundle, read only when a location is shown (src/core/source-map.ts).
    sourcemap: "linked",
    // Without comments and indentation, and ASCII only: less for V8 to read on every start.
    minifyWhitespace: true,
    legalComments: "linked",
    charset: "ascii",
    external: ["esbuild", "typescript"],
  });
  // Each entry as an ES module of the names it exports, read from the one loaded bundle.
  const bundle = createRequire(import.meta.url)(path.join(tmp, "roost.cjs"));
  const loader = path.join(root, "bin/load.js");
  for (const name of Object.keys(entries)) {
    const file = path.join(tmp, `${name}.js`);
    const names = Object.keys(bundle[name]).filter((n) => n !== "default");
    const from = path.relative(path.dirname(file), loader);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      [
        `import { roost } from ${JSON.stringify(from.startsWith(".") ? from : `./${from}`)};`,
        `const m = roost()[${JSON.stringify(name)}];`,
        names.length ? `export const { ${names.join(", ")} } = m;` : "",
        "default" in bundle[name] ? "export default m.default;" : "",
        "",
      ].join("\n"),
    );
  }
  // Libraries loaded only when used (src/core/yaml-library.ts): one CommonJS file each, for require().
  const vendor = buildSync({
    ...esbuildCommon,
    absWorkingDir: root,
    format: "cjs",
    banner: {},
    sourcemap: false,
    entryPoints: { yaml: "yaml" },
    outdir: path.join(tmp, "vendor"),
    outExtension: { ".js": ".cjs" },
  });
  // The services directory too: a new service folder is a new entry point.
  const services = existsSync(path.join(root, "src/services")) ? { "src/services": {} } : {};
  const { "roost-entries.js": _entries, ...inputs } = result.metafile.inputs;
  // How the bundle is built is one of its inputs too.
  const builder = { "bin/bundle.js": {} };
  writeStamp(path.join(tmp, "inputs.json"), { inputs: { ...inputs, ...vendor.metafile.inputs, ...services, ...builder } }, root);
  // Another process may have finished a bundle of the same sources meanwhile, and be running it.
  if (fresh(stampFile)) {
    rmSync(tmp, { recursive: true, force: true });
    return;
  }
  const old = `${dist}.old-${process.pid}`;
  if (existsSync(dist)) renameSync(dist, old);
  try {
    renameSync(tmp, dist);
  } catch {
    // Another process finished first: keep theirs.
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}

import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../../package-root.ts";
import { UsageError } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";

const templateDir = path.join(packageRoot, "src/cli/init-template");
const templateFiles = ["roost.config.ts", "modules/site.ts", "tests/site.scenario.ts"];
const scenarioFile = "tests/site.scenario.ts";
const roostManifest = JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { dependencies: Record<string, string> };

/** Scaffold a fleet in `dir`: two hosts, one module, a scenario, and what an editor needs to type-check it. */
export async function initCommand(dir: string): Promise<number> {
  const target = path.resolve(dir);
  const written = [...templateFiles, "package.json", "tsconfig.json", ".gitignore"];
  const existing = written.filter((f) => existsSync(path.join(target, f)));
  if (existing.length) throw new UsageError(`${dir} already has ${existing.join(", ")}`, [], "run roost init in a new or empty directory");
  for (const f of templateFiles) {
    mkdirSync(path.dirname(path.join(target, f)), { recursive: true });
    copyFileSync(path.join(templateDir, f), path.join(target, f));
  }
  writeFileSync(path.join(target, "package.json"), json(packageManifest(target)));
  writeFileSync(path.join(target, "tsconfig.json"), json(fleetTsconfig));
  writeFileSync(path.join(target, ".gitignore"), "node_modules/\nresult/\nroost-options/\n.roost/\n");
  const relative = path.relative(process.cwd(), target);
  const cd = relative.startsWith("..") ? target : relative;
  console.log(`Created a fleet in ${cd || "."}: ${written.join(", ")}`);
  console.log(
    [
      "",
      "Next:",
      ...(cd ? [`  cd ${cd}`] : []),
      "  npm install   # types for your editor",
      "  roost check",
      `  roost test ${scenarioFile}   # as root: both hosts start as local containers`,
    ].join("\n"),
  );
  return exitCodes.ok;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function packageManifest(target: string) {
  return {
    name:
      path
        .basename(target)
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, "-") || "fleet",
    private: true,
    type: "module",
    scripts: { check: "roost check", test: `roost test ${scenarioFile}`, typecheck: "tsc --noEmit" },
    dependencies: { roost: roostDependency(target) },
    // What `tsc` needs here even when roost is a link to a copy that has its own node_modules.
    devDependencies: Object.fromEntries(["@types/node", "typescript"].map((name) => [name, roostManifest.dependencies[name]!])),
  };
}

/** The same compiler settings Roost's own sources are written for, so its types check here too. */
export const fleetTsconfig = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noUncheckedIndexedAccess: true,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
  },
  include: ["*.ts", "modules", "tests"],
};

/**
 * How the new fleet depends on Roost: as the project that installed this copy does (a tarball or
 * checkout path is rebased onto the new directory), else on this copy itself (a global install).
 */
export function roostDependency(target: string): string {
  const spec = installSpec() ?? `file:${packageRoot}`;
  return spec.startsWith("file:") ? `file:${path.relative(target, spec.slice("file:".length)) || "."}` : spec;
}

/** The spec in the manifest of the project whose node_modules holds this copy, with paths made absolute. */
function installSpec(): string | null {
  const parts = packageRoot.split(path.sep);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return null;
  const project = parts.slice(0, at).join(path.sep) || path.sep;
  const manifest = readJson(path.join(project, "package.json"));
  const spec: unknown = manifest?.dependencies?.roost ?? manifest?.devDependencies?.roost;
  if (typeof spec !== "string") return null;
  return spec.startsWith("file:") ? `file:${path.resolve(project, spec.slice("file:".length))}` : spec;
}

function readJson(file: string): any {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fleetTsconfig } from "../../src/cli/commands/init.ts";
import { run } from "../../src/run-command.ts";
import { repoRoot, runRoostAsync } from "../cli/run-roost.ts";

export type BlockKind = "fleet" | "module" | "scenario" | "code";

/** A ```ts block of a Markdown file. */
export interface DocBlock {
  readonly doc: string;
  /** The line of the block's first code line in the Markdown file (1-based). */
  readonly line: number;
  /** Where it is written in the scratch project: the path its first-line comment names (`// modules/x.ts`), else one of its own. */
  readonly file: string;
  readonly kind: BlockKind;
  /** False for ```ts types-only: type-checked, but not run (a fleet that needs real keys and secrets). */
  readonly run: boolean;
  readonly code: string;
}

/** A problem in a doc, at a line of the Markdown file. */
export interface DocProblem {
  readonly at: string;
  readonly message: string;
}

/**
 * Every ```ts block, except those marked ```ts no-check (examples that are deliberately not even
 * type-correct). A fleet ends in `export default defineFleet(…)`; a scenario calls `scenario(…)`.
 */
export function extractBlocks(doc: string): DocBlock[] {
  const lines = readFileSync(doc, "utf8").split("\n");
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*(\S*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith(open[1]!) && l.trim() === open[1]);
    const close = end < 0 ? lines.length : end;
    const code = lines.slice(i + 1, close).join("\n") + "\n";
    if ((open[2] === "ts" || open[2] === "typescript") && !/\bno-check\b/.test(open[3]!)) {
      const named = /^\/\/\s*(\S+\.ts)\s*$/.exec(lines[i + 1] ?? "");
      blocks.push({
        doc,
        line: i + 2,
        file: named ? named[1]! : `block-${i + 2}.ts`,
        kind: kindOf(code),
        run: !/\btypes-only\b/.test(open[3]!),
        code,
      });
    }
    i = close;
  }
  return blocks;
}

function kindOf(code: string): BlockKind {
  if (/\bscenario\(/.test(code)) return "scenario";
  if (/export default defineFleet\(/.test(code)) return "fleet";
  if (/\bdefineModule\(/.test(code)) return "module";
  return "code";
}

/**
 * Write a doc's blocks into a scratch project where "roost" is this repository's sources, run
 * `tsc --noEmit` over them, `roost check` on each fleet and `roost test` on each scenario (real
 * test hosts); problems point at the Markdown lines.
 */
export async function checkDoc(doc: string, scratch: string): Promise<{ blocks: DocBlock[]; problems: DocProblem[] }> {
  const blocks = extractBlocks(doc);
  const dir = path.join(scratch, path.basename(doc, ".md"));
  const byFile = new Map<string, DocBlock>();
  for (const b of blocks) {
    const target = path.join(dir, b.file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, b.code);
    byFile.set(path.resolve(target), b);
  }
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig(), null, 2));
  const where = (file: string, line: number) => {
    const b = byFile.get(path.resolve(dir, file));
    return b ? `${path.relative(repoRoot, doc)}:${b.line + line - 1}` : `${file}:${line}`;
  };

  const problems: DocProblem[] = [];
  const tsc = await run(path.join(repoRoot, "node_modules/.bin/tsc"), ["--noEmit", "-p", dir], { cwd: dir });
  for (const m of tsc.stdout.matchAll(/^(.+?)\((\d+),\d+\): (error TS\d+: .*(?:\n {2,}.*)*)/gm)) {
    problems.push({ at: where(m[1]!, Number(m[2])), message: m[3]! });
  }
  if (tsc.code !== 0 && problems.length === 0) problems.push({ at: path.relative(repoRoot, doc), message: tsc.stdout + tsc.stderr });

  for (const b of blocks.filter((b) => b.kind === "fleet" && b.run)) {
    const check = await runRoostAsync(["check", "-c", b.file], { cwd: dir });
    if (check.code === 0) continue;
    const output = (check.stdout + check.stderr).trim();
    const site = new RegExp(`${escapeRegExp(b.file)}:(\\d+):\\d+`).exec(output);
    problems.push({ at: where(b.file, site ? Number(site[1]) : 1), message: `roost check failed:\n${output}` });
  }
  for (const b of blocks.filter((b) => b.kind === "scenario" && b.run)) {
    const test = await runRoostAsync(["test", b.file], { cwd: dir });
    if (test.code !== 0) problems.push({ at: where(b.file, 1), message: `roost test failed:\n${(test.stdout + test.stderr).trim()}` });
  }
  return { blocks, problems };
}

function tsconfig() {
  return {
    compilerOptions: {
      ...fleetTsconfig.compilerOptions,
      typeRoots: [path.join(repoRoot, "node_modules/@types")],
      paths: {
        roost: [path.join(repoRoot, "src/index.ts")],
        "roost/testing": [path.join(repoRoot, "src/testing/index.ts")],
        "roost/services/*": [path.join(repoRoot, "src/services/*/index.ts")],
      },
    },
    include: ["**/*.ts"],
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

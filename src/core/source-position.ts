import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as TS from "typescript";
import type { SourceLocation } from "./location.ts";
import type { OptionPath } from "./path.ts";

const require = createRequire(import.meta.url);
let ts: typeof TS | null | undefined;
const parsed = new Map<string, TS.SourceFile | null>();

/**
 * The place inside a call (`host({…})`, `defineModule({…})`) where an option is written: the
 * property whose chain of enclosing property names best matches the option path. Falls back to the
 * call itself when the source cannot be read or the key is computed. Only error messages use it,
 * so TypeScript's parser is loaded on first use.
 */
export function locateOption(call: SourceLocation, path: OptionPath): SourceLocation {
  const keys = path.filter((k) => !/^\[\d+\]$/.test(k));
  const source = parse(call.file);
  if (!source || keys.length === 0 || !ts) return call;
  const pos = positionOf(source, call);
  const node = innermostCall(source, pos);
  if (!node) return call;
  let best: { score: number; node: TS.Node } | null = null;
  const visit = (n: TS.Node) => {
    const name = propertyName(n);
    if (name === keys[keys.length - 1]) {
      const score = matchingSuffix(chainOf(n, node), keys);
      if (!best || score > best.score) best = { score, node: n };
    }
    ts!.forEachChild(n, visit);
  };
  ts.forEachChild(node, visit);
  if (!best) return call;
  const found = source.getLineAndCharacterOfPosition((best as { node: TS.Node }).node.getStart(source));
  return { file: call.file, line: found.line + 1, column: found.character + 1 };
}

function parse(file: string): TS.SourceFile | null {
  if (parsed.has(file)) return parsed.get(file)!;
  let source: TS.SourceFile | null = null;
  try {
    ts ??= require("typescript") as typeof TS;
    source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  } catch {
    ts ??= null;
  }
  parsed.set(file, source);
  return source;
}

function positionOf(source: TS.SourceFile, loc: SourceLocation): number {
  return source.getPositionOfLineAndCharacter(loc.line - 1, loc.column - 1);
}

function innermostCall(source: TS.SourceFile, pos: number): TS.Node | null {
  let found: TS.Node | null = null;
  const visit = (n: TS.Node) => {
    if (pos < n.getFullStart() || pos > n.getEnd()) return;
    if ((ts!.isCallExpression(n) || ts!.isNewExpression(n)) && n.getStart(source) <= pos) found = n;
    ts!.forEachChild(n, visit);
  };
  visit(source);
  return found;
}

function propertyName(n: TS.Node): string | undefined {
  if (!(ts!.isPropertyAssignment(n) || ts!.isShorthandPropertyAssignment(n) || ts!.isGetAccessorDeclaration(n))) return undefined;
  const name = n.name;
  if (ts!.isIdentifier(name) || ts!.isStringLiteral(name) || ts!.isNumericLiteral(name)) return name.text;
  return undefined;
}

/** Property names from the call down to `n`, e.g. ["config", "networking", "firewall", "allowedTCPPorts"]. */
function chainOf(n: TS.Node, root: TS.Node): string[] {
  const names: string[] = [];
  for (let cur: TS.Node | undefined = n; cur && cur !== root; cur = cur.parent) {
    const name = propertyName(cur);
    if (name !== undefined) names.unshift(name);
  }
  return names;
}

function matchingSuffix(chain: readonly string[], keys: readonly string[]): number {
  let n = 0;
  while (n < chain.length && n < keys.length && chain[chain.length - 1 - n] === keys[keys.length - 1 - n]) n++;
  return n;
}

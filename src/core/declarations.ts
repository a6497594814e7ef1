import { distance } from "fastest-levenshtein";
import { RoostError } from "./errors.ts";
import type { Module } from "./module.ts";
import { isOption, Option, type OptionTree } from "./option.ts";
import { showPath, type OptionPath } from "./path.ts";
import { mergeTypes } from "./types/define.ts";

/** Namespaces are plain objects; leaves are Options. */
export type DeclTree = { [key: string]: DeclTree | Option };

/** Every option the modules of one evaluation declare, merged into one tree. */
export class Declarations {
  readonly tree: DeclTree = Object.create(null);

  /** `prefix` is where these options live (a submodule's path), for messages. */
  constructor(
    modules: readonly Module<any, any>[],
    readonly prefix: OptionPath = [],
  ) {
    for (const m of modules) this.#add(this.tree, m.options, [...prefix]);
  }

  #add(into: DeclTree, tree: OptionTree, path: string[]): void {
    for (const key of Object.keys(tree)) {
      const node = tree[key]!;
      const here = [...path, key];
      const existing = into[key];
      if (isOption(node)) {
        if (existing === node) continue;
        if (isOption(existing)) into[key] = mergeDeclarations(here, existing, node);
        else if (existing !== undefined) throw declaredTwice(here, existing, node);
        else into[key] = node;
      } else {
        if (isOption(existing)) throw declaredTwice(here, existing, node);
        const ns = (existing as DeclTree | undefined) ?? (into[key] = Object.create(null) as DeclTree);
        this.#add(ns, node as OptionTree, here);
      }
    }
  }

  /** The option or namespace at `path`, or undefined. */
  lookup(path: OptionPath): DeclTree | Option | undefined {
    let node: DeclTree | Option | undefined = this.tree;
    for (const key of path) {
      if (node === undefined || isOption(node)) return undefined;
      node = Object.hasOwn(node, key) ? node[key] : undefined;
    }
    return node;
  }

  /** Every option with its path, sorted by path. */
  list(): [OptionPath, Option][] {
    const out: [OptionPath, Option][] = [];
    const walk = (node: DeclTree, path: string[]) => {
      for (const key of Object.keys(node).sort()) {
        const child = node[key]!;
        if (isOption(child)) out.push([[...path, key], child]);
        else walk(child, [...path, key]);
      }
    };
    walk(this.tree, []);
    return out;
  }
}

/** Merged declarations of one option, so that every host declaring it with the same modules shares one. */
const merges = new WeakMap<Option, WeakMap<Option, Option>>();

/**
 * An option declared by two modules (nixpkgs' mergeOptionDecls): the types merge (submodules
 * concatenate their modules); the first declaration's description stands, and at most one may
 * give a default or an example.
 */
function mergeDeclarations(path: OptionPath, a: Option, b: Option): Option {
  const known = merges.get(a)?.get(b);
  if (known) return known;
  const type = mergeTypes(a.type, b.type, path);
  if (!type) {
    throw new RoostError(
      `the option ${showPath(path)} is declared twice with types that do not merge (${a.type.description}; ${b.type.description})`,
      [...a.declarations.map((s) => `declared in ${s}`), ...b.declarations.map((s) => `declared in ${s}`)],
      "declare it once, or give both declarations types that merge: submodule, attrsOf, listOf, nullOr, enumOf or the same type",
    );
  }
  for (const field of ["default", "example", "defaultText"] as const) {
    if (field in a.spec && field in b.spec) {
      throw new RoostError(
        `the option ${showPath(path)} is declared twice, and both declarations give it ${field === "default" ? "a default" : `a ${field}`}`,
        [...a.declarations.map((s) => `declared in ${s}`), ...b.declarations.map((s) => `declared in ${s}`)],
        `keep the ${field} in one declaration`,
      );
    }
  }
  const spec = { ...b.spec, ...a.spec, type };
  if (a.spec.readOnly || b.spec.readOnly) Object.assign(spec, { readOnly: true });
  const merged = new Option(spec, a.declaredIn, [...a.declarations.slice(1), ...b.declarations]);
  let byB = merges.get(a);
  if (!byB) merges.set(a, (byB = new WeakMap()));
  byB.set(b, merged);
  return merged;
}

function declaredTwice(path: OptionPath, a: Option | OptionTree, b: Option | OptionTree): RoostError {
  const where = (n: Option | OptionTree) => (isOption(n) ? `declared in ${n.declaredIn}` : "declared as a group of options");
  return new RoostError(`the option ${showPath(path)} is declared twice`, [where(a), where(b)]);
}

/** Up to two known names close to `key`, for "did you mean". */
export function suggest(key: string, known: readonly string[]): string[] {
  if (known.length === 0) return [];
  const limit = Math.max(2, Math.floor(key.length / 3));
  const scored = known.map((k) => [k, distance(key.toLowerCase(), k.toLowerCase())] as const).filter(([, d]) => d <= limit);
  scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  return scored.slice(0, 2).map(([k]) => k);
}

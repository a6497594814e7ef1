import { distance } from "fastest-levenshtein";
import { RoostError } from "./errors.ts";
import type { Module } from "./module.ts";
import { isOption, type Option, type OptionTree } from "./option.ts";
import { showPath, type OptionPath } from "./path.ts";

/** Namespaces are plain objects; leaves are Options. */
export type DeclTree = { [key: string]: DeclTree | Option };

/** Every option the modules of one evaluation declare, merged into one tree. */
export class Declarations {
  readonly tree: DeclTree = Object.create(null);

  constructor(modules: readonly Module<any, any>[]) {
    for (const m of modules) this.#add(this.tree, m.options, []);
  }

  #add(into: DeclTree, tree: OptionTree, path: string[]): void {
    for (const key of Object.keys(tree)) {
      const node = tree[key]!;
      const here = [...path, key];
      const existing = into[key];
      if (isOption(node)) {
        if (existing === node) continue;
        if (existing !== undefined) throw declaredTwice(here, existing, node);
        into[key] = node;
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

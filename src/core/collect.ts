import type { CallSite } from "./location.ts";
import type { RawDefinition } from "./merge.ts";
import type { OptionPath } from "./path.ts";
import { PROPERTY, isProperty } from "./properties.ts";
import { isPlainObject } from "./types/containers.ts";

/**
 * The definitions a module's output gives for one option path. Properties met on the way down are
 * pushed through: `mkIf(c, { a: { b: 1 } })` defines `a.b` only when c holds, and
 * `mkForce({ a: 1, b: 2 })` forces both.
 */
export function collectDefinitions(output: unknown, path: OptionPath, site: CallSite): RawDefinition[] {
  const out: RawDefinition[] = [];
  walk(output, path, 0, { site }, out);
  return out;
}

interface Carried {
  readonly site: CallSite;
  readonly priority?: number;
  readonly order?: number;
}

function walk(value: unknown, path: OptionPath, depth: number, carried: Carried, out: RawDefinition[]): void {
  if (depth === path.length) {
    out.push({ value, ...carried });
    return;
  }
  if (isProperty(value)) {
    switch (value[PROPERTY]) {
      case "if":
        if (value.condition) walk(value.content, path, depth, { ...carried, site: value.site }, out);
        return;
      case "merge":
        for (const content of value.contents) walk(content, path, depth, { ...carried, site: value.site }, out);
        return;
      case "override":
        walk(value.content, path, depth, { ...carried, site: value.site, priority: value.priority }, out);
        return;
      case "order":
        walk(value.content, path, depth, { ...carried, site: value.site, order: value.order }, out);
        return;
    }
  }
  if (!isPlainObject(value)) return;
  const key = path[depth]!;
  if (Object.hasOwn(value, key)) walk(value[key], path, depth + 1, carried, out);
}

/** Every branch of a definition tree, conditions ignored: used to find options that do not exist. */
export function* branches(value: unknown, site: CallSite): Generator<{ value: unknown; site: CallSite }> {
  if (!isProperty(value)) {
    yield { value, site };
    return;
  }
  switch (value[PROPERTY]) {
    case "merge":
      for (const c of value.contents) yield* branches(c, value.site);
      return;
    case "if":
    case "override":
    case "order":
      yield* branches(value.content, value.site);
  }
}

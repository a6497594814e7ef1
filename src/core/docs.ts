import type { Declarations } from "./declarations.ts";
import { isOption, type Option, type OptionTree } from "./option.ts";
import { showPath } from "./path.ts";
import type { OptionType } from "./types/define.ts";

/** One option as the reference shows it. */
export interface OptionDoc {
  readonly path: string;
  readonly type: string;
  readonly default: string | null;
  readonly description: string;
  readonly example: string | null;
  readonly declaredIn: string;
  readonly readOnly: boolean;
}

/** Every documented option, submodules expanded (`users.users.<name>.home`), sorted by path. */
export function optionDocs(declarations: Declarations): OptionDoc[] {
  const out: OptionDoc[] = [];
  for (const [path, option] of declarations.list()) visit([...path], option, out);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function visit(path: string[], option: Option, out: OptionDoc[]): void {
  if (option.spec.internal) return;
  const spec = option.spec;
  out.push({
    path: showPath(path).replaceAll('"<name>"', "<name>").replaceAll('"*"', "*"),
    type: option.type.description,
    default: spec.defaultText ?? ("default" in spec ? JSON.stringify(spec.default) : null),
    description: spec.description,
    example: spec.example === undefined ? null : JSON.stringify(spec.example),
    declaredIn: option.declarations.map(String).join(", "),
    readOnly: spec.readOnly ?? false,
  });
  const sub = option.type.subOptions?.();
  if (sub) walk(sub, [...path, ...placeholder(option.type)], out);
}

function walk(tree: OptionTree, path: string[], out: OptionDoc[]): void {
  for (const key of Object.keys(tree)) {
    const node = tree[key]!;
    if (isOption(node)) visit([...path, key], node, out);
    else walk(node as OptionTree, [...path, key], out);
  }
}

function placeholder(type: OptionType<any, any>): string[] {
  if (type.name.startsWith("attrsOf<")) return ["<name>", ...placeholder(type.nested!.elem!)];
  if (type.name.startsWith("listOf<")) return ["*", ...placeholder(type.nested!.elem!)];
  if (type.name.startsWith("nullOr<")) return placeholder(type.nested!.elem!);
  return [];
}

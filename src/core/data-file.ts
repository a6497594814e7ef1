import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type * as Yaml from "yaml";
import type { Node as YamlNode } from "yaml";
import { RoostError } from "./errors.ts";
import { CallSite, type SourceLocation } from "./location.ts";
import { definitionModule, type Module } from "./module.ts";
import type { OptionPath } from "./path.ts";
import { yamlLibrary } from "./yaml-library.ts";

/**
 * A module of definitions read from a YAML or JSON file (JSON is YAML). The values are checked by
 * the option types like any other definition, and errors point at the key's line in the file.
 */
export function definitionsFromFile(source: string | URL): Module {
  const absolute = source instanceof URL ? fileURLToPath(source) : path.resolve(source);
  const file = path.relative(process.cwd(), absolute) || absolute;
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (e) {
    throw new RoostError(`cannot read ${file}`, [(e as NodeJS.ErrnoException).code ?? String(e)]);
  }
  const { LineCounter, parseDocument, isMap, isSeq } = yamlLibrary();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new RoostError(
      `${file} is not valid YAML or JSON`,
      doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return `${e.message.split("\n")[0]} at ${file}:${at.line}:${at.col}`;
      }),
    );
  }
  const proto = findProtoKey(doc.contents as YamlNode | null, isMap, isSeq);
  if (proto?.range) {
    const at = lines.linePos(proto.range[0]);
    throw new RoostError(
      `${file}: the key __proto__ cannot be read into a JavaScript object`,
      [`at ${file}:${at.line}:${at.col}`],
      "rename the key",
    );
  }
  const value = doc.toJS() ?? {};
  const site = new DataFileSite({ file: absolute, line: 1, column: 1 }, (p) => {
    const node = nodeAt(doc.contents as YamlNode | null, p, isMap, isSeq);
    if (!node?.range) return null;
    const at = lines.linePos(node.range[0]);
    return { file: absolute, line: at.line, column: at.col };
  });
  return definitionModule(value, site, path.basename(file));
}

/** A `__proto__` key anywhere in the document: toJS would turn it into a prototype and drop it. */
function findProtoKey(node: YamlNode | null, isMap: typeof Yaml.isMap, isSeq: typeof Yaml.isSeq): YamlNode | null {
  if (isMap(node)) {
    for (const pair of node.items) {
      if ((pair.key as { value?: unknown } | null)?.value === "__proto__") return pair.key as YamlNode;
      const inner = findProtoKey(pair.value as YamlNode | null, isMap, isSeq);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const inner = findProtoKey(item as YamlNode | null, isMap, isSeq);
      if (inner) return inner;
    }
  }
  return null;
}

/** The deepest node of the document along `path` (list items written "[n]" are skipped). */
function nodeAt(root: YamlNode | null, optionPath: OptionPath, isMap: typeof Yaml.isMap, isSeq: typeof Yaml.isSeq): YamlNode | null {
  let node = root;
  let found = root;
  for (const key of optionPath) {
    if (/^\[\d+\]$/.test(key)) continue;
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      found = (pair.key as YamlNode) ?? found;
      node = pair.value as YamlNode;
    } else if (isSeq(node)) break;
    else break;
  }
  return found;
}

class DataFileSite extends CallSite {
  readonly #location: SourceLocation;
  readonly #lookup: (path: OptionPath) => SourceLocation | null;
  constructor(location: SourceLocation, lookup: (path: OptionPath) => SourceLocation | null) {
    super(DataFileSite);
    this.#location = location;
    this.#lookup = lookup;
  }
  override get location(): SourceLocation {
    return this.#location;
  }
  override at(optionPath: OptionPath): CallSite {
    const loc = this.#lookup(optionPath) ?? this.#location;
    return new DataFileSite(loc, this.#lookup);
  }
}

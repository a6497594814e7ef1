import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { YAMLError } from "yaml";
import { yamlLibrary } from "../core/yaml-library.ts";
import { RoostError } from "../core/index.ts";

/** One secret as the file stores it: ciphertext only. */
export interface StoredSecret {
  /** Random; changes when the value changes (not on rekey), so consumers restart only then. */
  readonly version: string;
  /** The public keys it is encrypted to. */
  readonly recipients: readonly string[];
  /** For people reading the file: who can read it ("admins", host names). */
  readonly readers: readonly string[];
  /** age ciphertext, ASCII-armoured. */
  readonly value: string;
}

const header = "# Roost secrets: every value is age-encrypted. Change them with `roost secrets`.\n";

/** A YAML error as the place, the line and a caret (the parser's own message ends in a snippet we redraw). */
function yamlError(file: string, text: string, e: YAMLError): RoostError {
  const reason = e.message
    .split("\n")[0]!
    .replace(/ at line \d+, column \d+:?$/, "")
    .replace(/:$/, "");
  const pos = e.linePos?.[0];
  if (!pos) return new RoostError(`the secrets file ${file} is not valid YAML: ${reason}`, [], "restore it from version control");
  const number = String(pos.line);
  const line = text.split("\n")[pos.line - 1] ?? "";
  return new RoostError(
    `the secrets file ${file} is not valid YAML: ${reason}`,
    [`at ${file}:${pos.line}:${pos.col}`, `${number} | ${line}`, `${" ".repeat(number.length)} | ${" ".repeat(Math.max(0, pos.col - 1))}^`],
    "restore it from version control",
  );
}

/** The fleet's secrets file: names in the clear (a readable diff), values encrypted. */
export class SecretsFile {
  private constructor(
    readonly file: string,
    readonly entries: Map<string, StoredSecret>,
  ) {}

  static read(file: string): SecretsFile {
    if (!existsSync(file)) return new SecretsFile(file, new Map());
    const text = readFileSync(file, "utf8");
    const { isMap, parseDocument } = yamlLibrary();
    const doc = parseDocument(text);
    if (doc.errors.length) throw yamlError(file, text, doc.errors[0]!);
    const data = doc.toJS() ?? {};
    if (!isMap(doc.contents) && doc.contents !== null)
      throw new RoostError(`the secrets file ${file} is damaged`, ["it is not a map of secret names"], "restore it from version control");
    const entries = new Map<string, StoredSecret>();
    for (const [name, v] of Object.entries(data as Record<string, unknown>)) {
      const e = v as Partial<StoredSecret> | null;
      const ok =
        e &&
        typeof e.version === "string" &&
        typeof e.value === "string" &&
        e.value.includes("-----BEGIN AGE ENCRYPTED FILE-----") &&
        Array.isArray(e.recipients) &&
        Array.isArray(e.readers);
      if (!ok)
        throw new RoostError(
          `the secrets file ${file} is damaged at ${JSON.stringify(name)}`,
          ["expected version, recipients, readers and an age-encrypted value"],
          "restore it from version control",
        );
      entries.set(name, { version: e.version!, recipients: e.recipients!, readers: e.readers!, value: e.value! });
    }
    return new SecretsFile(file, entries);
  }

  get(name: string): StoredSecret | undefined {
    return this.entries.get(name);
  }

  set(name: string, entry: StoredSecret): void {
    this.entries.set(name, entry);
  }

  delete(name: string): boolean {
    return this.entries.delete(name);
  }

  /** Written sorted by name, replaced atomically. */
  write(): void {
    const sorted = Object.fromEntries([...this.entries.keys()].sort().map((k) => [k, this.entries.get(k)]));
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, header + (this.entries.size ? yamlLibrary().stringify(sorted, { lineWidth: 0 }) : ""), { mode: 0o644 });
    renameSync(tmp, this.file);
  }
}

export function newVersion(): string {
  return randomBytes(8).toString("hex");
}

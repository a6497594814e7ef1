// How the host reads back what Roost wrote, for the fuzz test: systemd's unit-file syntax as
// src/shared/conf-parser.c parses it (continuation lines, stripping, comments) and its specifier
// and C-unescape rules. The real tools check samples of the same cases (see fuzz.property.test.ts).

/** section → key → the values of every `key=` line, in order, as systemd's parser sees them. */
export type UnitFile = Map<string, Map<string, string[]>>;

const whitespace = /^[ \t\n\r]+|[ \t\n\r]+$/g;

/** True when `line` ends in a backslash that is not itself escaped: systemd joins the next line. */
function continues(line: string): boolean {
  let escaped = false;
  for (const c of line) escaped = escaped ? false : c === "\\";
  return escaped;
}

export function readUnitFile(text: string): UnitFile {
  const sections: UnitFile = new Map();
  let section: Map<string, string[]> | null = null;
  let pending = "";
  for (const raw of text.split("\n")) {
    let line = pending + raw;
    pending = "";
    if (continues(line)) {
      pending = line.slice(0, -1) + " ";
      continue;
    }
    line = line.replace(whitespace, "");
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    if (line.startsWith("[") && line.endsWith("]")) {
      const name = line.slice(1, -1);
      section = sections.get(name) ?? new Map();
      sections.set(name, section);
      continue;
    }
    const eq = line.indexOf("=");
    if (!section || eq < 0) throw new Error(`systemd would refuse the line ${JSON.stringify(line)}`);
    const key = line.slice(0, eq).replace(whitespace, "");
    const value = line.slice(eq + 1).replace(whitespace, "");
    if (value === "") section.set(key, []);
    else section.set(key, [...(section.get(key) ?? []), value]);
  }
  return sections;
}

/** A value after systemd's specifier expansion, where only %% is known (anything else: null). */
export function expandSpecifiers(value: string): string | null {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== "%") {
      out += value[i];
      continue;
    }
    if (value[i + 1] !== "%") return null;
    out += "%";
    i++;
  }
  return out;
}

/** One word as extract_first_word(EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE) reads a quoted Environment= item. */
export function unquoteEnvironment(value: string): string | null {
  if (!value.startsWith('"') || !value.endsWith('"') || value.length < 2) return null;
  const body = value.slice(1, -1);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') return null;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const n = body[++i];
    const named: Record<string, string> = {
      "\\": "\\",
      '"': '"',
      n: "\n",
      t: "\t",
      r: "\r",
      a: "\x07",
      b: "\b",
      f: "\f",
      v: "\v",
      s: " ",
      "'": "'",
    };
    if (n !== undefined && named[n] !== undefined) out += named[n];
    else if (n === "x" && /^[0-9a-f]{2}$/i.test(body.slice(i + 1, i + 3))) {
      const code = parseInt(body.slice(i + 1, i + 3), 16);
      if (code === 0) return null;
      out += String.fromCharCode(code);
      i += 2;
    } else return null;
  }
  return out;
}

/** One deb822 paragraph: field → value (apt refuses continuation lines in .sources fields Roost writes). */
export function readDeb822(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | null = null;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (/^[ \t]/.test(line)) {
      if (!last) throw new Error("continuation before any field");
      fields.set(last, `${fields.get(last)}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon < 0) throw new Error(`not a field: ${JSON.stringify(line)}`);
    last = line.slice(0, colon);
    fields.set(last, line.slice(colon + 1).trim());
  }
  return fields;
}

/** The words of an ExecStart= value as systemd splits them (quotes, C escapes, then $$ → $). */
export function splitExecLine(value: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (value[i] === " ") i++;
    if (i >= value.length) break;
    let word = "";
    if (value[i] === '"') {
      let j = i + 1;
      for (; j < value.length && value[j] !== '"'; j++) if (value[j] === "\\") j++;
      if (j >= value.length) return null;
      const body = unquoteEnvironment(`"${value.slice(i + 1, j)}"`);
      if (body === null) return null;
      word = body;
      i = j + 1;
      if (i < value.length && value[i] !== " ") return null;
    } else {
      const j = value.indexOf(" ", i);
      word = value.slice(i, j < 0 ? value.length : j);
      if (/["'\\]/.test(word)) return null;
      i = j < 0 ? value.length : j;
    }
    words.push(word.replaceAll("$$", "$"));
  }
  return words;
}

import type { OptionDoc } from "../core/docs.ts";

/**
 * The option reference as one self-contained page: the options as JSON in the page, a search box,
 * and a script that filters them as you type. No network, no build step.
 */
export function renderOptionsPage(docs: readonly OptionDoc[], title = "Roost options"): string {
  const data = docs.map((d) => [
    d.path,
    d.type,
    d.default,
    d.example,
    d.description,
    d.declaredIn === "" ? [] : d.declaredIn.split(", "),
    d.readOnly ? 1 : 0,
  ]);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<header>
  <h1>${escapeHtml(title)}</h1>
  <input id="q" type="search" placeholder="Search ${docs.length} options by path, description or type (press / to focus)" autocomplete="off" spellcheck="false" autofocus>
  <p id="count" aria-live="polite"></p>
</header>
<main id="results"></main>
<script type="application/json" id="options">${scriptSafeJson(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot end the script element it sits in. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const style = `
:root { color-scheme: light dark; --fg: #1d2430; --muted: #5d6878; --bg: #f7f8fa; --card: #fff; --line: #dde2ea; --accent: #2f6fde; --code: #eef1f6; --mark: #ffe58a; }
@media (prefers-color-scheme: dark) { :root { --fg: #e3e7ee; --muted: #9aa5b5; --bg: #14171c; --card: #1c2027; --line: #2c323c; --accent: #7aa7ff; --code: #262c35; --mark: #6b5a12; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { position: sticky; top: 0; z-index: 1; padding: 16px max(16px, calc(50% - 480px)) 8px; background: var(--bg); border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 10px; font-size: 20px; font-weight: 600; }
#q { width: 100%; padding: 10px 14px; font: inherit; font-size: 16px; color: var(--fg); background: var(--card); border: 1px solid var(--line); border-radius: 8px; outline: none; }
#q:focus { border-color: var(--accent); box-shadow: 0 0 0 3px color-mix(in srgb, var(--accent) 25%, transparent); }
#count { margin: 8px 2px 0; color: var(--muted); font-size: 13px; }
main { padding: 12px max(16px, calc(50% - 480px)) 40px; }
article { content-visibility: auto; contain-intrinsic-size: auto 150px; margin: 0 0 10px; padding: 12px 16px; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
article:target, article.target { border-color: var(--accent); box-shadow: 0 0 0 2px color-mix(in srgb, var(--accent) 30%, transparent); }
h2 { margin: 0 0 4px; font: 600 15px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; word-break: break-all; }
h2 a { color: var(--fg); text-decoration: none; }
h2 a:hover { color: var(--accent); }
h2 a::after { content: " #"; color: var(--muted); opacity: 0; }
h2 a:hover::after { opacity: 1; }
.desc { margin: 0 0 6px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; font-size: 13px; }
dt { color: var(--muted); }
dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
code { font: 12.5px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; padding: 1px 4px; background: var(--code); border-radius: 4px; }
mark { background: var(--mark); color: inherit; border-radius: 2px; }
.badge { margin-left: 6px; padding: 0 6px; font: 11px system-ui, sans-serif; color: var(--muted); border: 1px solid var(--line); border-radius: 10px; vertical-align: middle; }
.more { color: var(--muted); text-align: center; font-size: 13px; }
`;

// Plain ES2020 for the browser. Search: every word of the query must occur in the option's path,
// description or type (lowercased once, up front); options whose path has every word come first,
// then the rest, each group in path order. Only the first `limit` matches become elements.
const script = `
"use strict";
const limit = 50;
const options = JSON.parse(document.getElementById("options").textContent).map(([path, type, def, example, description, declaredIn, readOnly]) => ({ path, type, def, example, description, declaredIn, readOnly }));
const index = options.map((o) => ({ path: o.path.toLowerCase(), text: (o.path + "\\n" + o.description + "\\n" + o.type).toLowerCase() }));
const input = document.getElementById("q");
const results = document.getElementById("results");
const count = document.getElementById("count");

function search(query) {
  const words = query.toLowerCase().split(/\\s+/).filter(Boolean);
  if (words.length === 0) return options.map((_, i) => i);
  const inPath = [];
  const elsewhere = [];
  for (let i = 0; i < index.length; i++) {
    const e = index[i];
    let all = true;
    let path = true;
    for (const w of words) {
      if (!e.text.includes(w)) { all = false; break; }
      if (path && !e.path.includes(w)) path = false;
    }
    if (all) (path ? inPath : elsewhere).push(i);
  }
  return inPath.concat(elsewhere);
}

function esc(s) {
  return s.replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
}
function prose(s) {
  return esc(s).replace(/\`([^\`]+)\`/g, "<code>$1</code>");
}
function highlight(path, words) {
  if (words.length === 0) return esc(path);
  const lower = path.toLowerCase();
  const marked = new Array(path.length).fill(false);
  for (const w of words) for (let at = lower.indexOf(w); at >= 0; at = lower.indexOf(w, at + 1)) marked.fill(true, at, at + w.length);
  let out = "";
  for (let i = 0; i < path.length; ) {
    let j = i;
    while (j < path.length && marked[j] === marked[i]) j++;
    out += marked[i] ? "<mark>" + esc(path.slice(i, j)) + "</mark>" : esc(path.slice(i, j));
    i = j;
  }
  return out;
}
function anchor(path) {
  return "opt-" + path;
}
function card(o, words) {
  const id = anchor(o.path);
  let rows = "<dt>type</dt><dd>" + esc(o.type) + "</dd>";
  if (o.def !== null) rows += "<dt>default</dt><dd><code>" + esc(o.def) + "</code></dd>";
  if (o.example !== null) rows += "<dt>example</dt><dd><code>" + esc(o.example) + "</code></dd>";
  rows += "<dt>declared in</dt><dd>" + o.declaredIn.map((d) => "<code>" + esc(d) + "</code>").join(" ") + "</dd>";
  return '<article id="' + esc(id) + '"><h2><a href="#' + esc(encodeURIComponent(id)) + '">' + highlight(o.path, words) + "</a>" + (o.readOnly ? '<span class="badge">read-only</span>' : "") + "</h2>" + '<p class="desc">' + prose(o.description) + "</p><dl>" + rows + "</dl></article>";
}

function show(query) {
  const words = query.toLowerCase().split(/\\s+/).filter(Boolean);
  const hits = search(query);
  const shown = hits.slice(0, limit);
  let html = "";
  for (const i of shown) html += card(options[i], words);
  if (hits.length > shown.length) html += '<p class="more">' + (hits.length - shown.length) + " more: refine the search to see them</p>";
  results.innerHTML = html;
  count.textContent = (query.trim() ? hits.length + " of " + options.length : options.length) + " options" + (hits.length > shown.length ? ", the first " + shown.length + " shown" : "");
}

function followHash() {
  const id = decodeURIComponent(location.hash.slice(1));
  if (!id.startsWith("opt-")) return;
  const path = id.slice(4);
  if (!options.some((o) => o.path === path)) return;
  if (!document.getElementById(id)) {
    input.value = path;
    show(path);
  }
  const el = document.getElementById(id);
  for (const t of document.querySelectorAll(".target")) t.classList.remove("target");
  el.classList.add("target");
  el.scrollIntoView({ block: "center" });
}

input.addEventListener("input", () => show(input.value));
document.addEventListener("keydown", (e) => {
  if (e.key === "/" && document.activeElement !== input) { e.preventDefault(); input.focus(); input.select(); }
  else if (e.key === "Escape" && document.activeElement === input) { input.value = ""; show(""); }
});
window.addEventListener("hashchange", followHash);
show(input.value);
followHash();
`;

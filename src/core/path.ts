/** An option path, e.g. ["services", "nginx", "virtualHosts", "example.org", "root"]. List elements are "[n]". */
export type OptionPath = readonly string[];

const identifier = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const index = /^\[\d+\]$/;
/** Where the docs and declaration errors stand for any attribute name or any list element. */
const placeholder = /^(<name>|\*)$/;

/** `services.nginx.virtualHosts."example.org".root`, as NixOS prints paths; `assertions[2]` for list items. */
export function showPath(path: OptionPath): string {
  let out = "";
  for (const key of path) {
    if (index.test(key)) out += key;
    else out += (out ? "." : "") + (identifier.test(key) || placeholder.test(key) ? key : JSON.stringify(key));
  }
  return out;
}

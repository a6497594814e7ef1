import type { HostConfig } from "../module.ts";
import { rootFile, type RenderedFile } from "../rendered.ts";
import { renderDeb822 } from "./deb822.ts";

export function renderPackages(config: HostConfig): { files: RenderedFile[]; packages: string[]; aptRepositories: string[] } {
  const files: RenderedFile[] = [];
  const repos = Object.entries(config.apt.repositories).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [name, r] of repos) {
    const keyPath = `/etc/apt/keyrings/roost-${name}.asc`;
    const fields: [string, string][] = [
      ["Types", "deb"],
      ["URIs", r.uris.join(" ")],
      ["Suites", r.suites.join(" ")],
      ["Components", r.components.join(" ")],
      ["Signed-By", keyPath],
    ];
    if (r.architectures.length) fields.push(["Architectures", r.architectures.join(" ")]);
    const from = `apt.repositories.${name}`;
    files.push(rootFile(`/etc/apt/sources.list.d/roost-${name}.sources`, renderDeb822(fields), from));
    files.push(rootFile(keyPath, r.key.trim() + "\n", from));
  }
  // The host downloads files.<path>.url with curl, https included.
  const downloads = Object.values(config.files).some((f) => f.url !== null) ? ["curl", "ca-certificates"] : [];
  return { files, packages: [...new Set([...config.packages, ...downloads])].sort(), aptRepositories: repos.map(([n]) => n) };
}

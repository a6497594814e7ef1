import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { HostGeneration } from "./generation.ts";

/**
 * `<dir>/manifest.json`, `<dir>/id`, every file under `<dir>/root/` at its path on the host, and the
 * generation's own data (secrets as ciphertext) under `<dir>/data/`,
 * so a generation can be read and diffed by eye. Replaces what was there.
 */
export async function writeGeneration(gen: HostGeneration, dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, "root"), { recursive: true });
  await writeFile(path.join(dir, "manifest.json"), gen.manifestJson);
  await writeFile(path.join(dir, "id"), gen.id + "\n");
  for (const [name, content] of Object.entries(gen.data)) {
    const target = path.join(dir, "data", name);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  for (const f of gen.files.values()) {
    if (f.download) continue; // the manifest names its URL and hash; the host downloads it
    const target = path.join(dir, "root", f.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, f.content, { mode: 0o644 });
  }
}

import type { HostGeneration } from "../build/generation.ts";
import { contentHash, sha256 } from "../host/rendered.ts";
import { hostDataFiles } from "./host-data.ts";
import { hostScripts } from "./host-scripts.ts";
import type { Pipeable } from "./ssh.ts";

/** The files a generation consists of on the host, besides its store objects. */
export function generationFiles(gen: HostGeneration): Record<string, string> {
  // The data files come last: host-data.ts is the one encoder of what the host scripts read.
  return { "manifest.json": gen.manifestJson, activate: hostScripts.activate, ...gen.data, ...hostDataFiles(gen.manifest) };
}

/** Store objects by hash: the content of every file of the generation. */
export function generationObjects(gen: HostGeneration): Map<string, Buffer> {
  const objects = new Map<string, Buffer>();
  // A download is not sent: the host fetches it and checks it against its pinned hash.
  for (const f of gen.files.values()) if (!f.download) objects.set(sha256(f.content), f.content);
  return objects;
}

/** Every object the generation's files need, sent or downloaded: what the host is asked it lacks. */
export function neededObjects(gen: HostGeneration): string[] {
  return [...new Set([...gen.files.values()].map(contentHash))].sort();
}

/** A tar stream of the objects the host lacks and the generation directory (its library loaded only when something is sent). */
export async function uploadStream(gen: HostGeneration, missing: ReadonlySet<string>): Promise<Pipeable> {
  const { default: tar } = await import("tar-stream");
  const pack = tar.pack();
  const entry = (name: string, content: Buffer | string, mode = 0o644) =>
    pack.entry({ name, mode, mtime: new Date(0), uid: 0, gid: 0 }, content);
  for (const [hash, content] of generationObjects(gen)) if (missing.has(hash)) entry(`store/${hash}`, content, 0o600);
  for (const [name, content] of Object.entries(generationFiles(gen)))
    entry(`generation/${name}`, content, name === "activate" ? 0o755 : 0o644);
  pack.finalize();
  return pack;
}

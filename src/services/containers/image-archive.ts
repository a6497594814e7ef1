// The image id of a `podman save` / `docker save` archive (docker-archive or oci-archive, an
// uncompressed tar), read on the controller: the host compares it with the image it has and loads the
// archive only when they differ. The id is the sha256 of the image's config, as podman and docker
// compute it.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

export interface ImageArchive {
  /** The image id: 64 hex digits. */
  readonly id: string;
  readonly format: "docker-archive" | "oci-archive";
}

/** The archive's image id, or the reason it cannot be read. */
export function readImageArchive(file: string): ImageArchive | string {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    return `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  }
  const entries = tarEntries(data);
  if (typeof entries === "string") return `${file} is not a tar archive: ${entries}`;
  const json = (name: string): any => {
    const body = entries.get(name);
    if (!body) return undefined;
    try {
      return JSON.parse(body.toString("utf8"));
    } catch {
      return undefined;
    }
  };
  const manifest = json("manifest.json");
  if (Array.isArray(manifest)) {
    if (manifest.length !== 1) return `${file} holds ${manifest.length} images; save one image per archive`;
    const config = entries.get(String(manifest[0]?.Config));
    if (!config) return `${file}: manifest.json names a config ${JSON.stringify(manifest[0]?.Config)} the archive does not hold`;
    return { id: createHash("sha256").update(config).digest("hex"), format: "docker-archive" };
  }
  const index = json("index.json");
  if (index && Array.isArray(index.manifests)) {
    if (index.manifests.length !== 1) return `${file} holds ${index.manifests.length} images; save one image per archive`;
    const blob = (digest: unknown) => (typeof digest === "string" ? json(`blobs/${digest.replace(":", "/")}`) : undefined);
    const digest = blob(index.manifests[0].digest)?.config?.digest;
    if (typeof digest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(digest)) return `${file}: its OCI manifest names no sha256 config`;
    return { id: digest.slice("sha256:".length), format: "oci-archive" };
  }
  return `${file} has neither manifest.json (docker-archive) nor index.json (oci-archive)`;
}

/** The regular files of an uncompressed tar (ustar, pax and GNU long names), by path without "./". */
function tarEntries(data: Buffer): Map<string, Buffer> | string {
  const out = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | null = null;
  while (offset + 512 <= data.length) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const text = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString("utf8")
        .replace(/\0.*$/s, "");
    const size = Number.parseInt(text(124, 12).trim() || "0", 8);
    if (!Number.isFinite(size) || !text(257, 6).startsWith("ustar")) return `bad header at byte ${offset}`;
    const type = text(156, 1) || "0";
    const body = data.subarray(offset + 512, offset + 512 + size);
    const prefix = text(345, 155);
    const name = (longName ?? (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100))).replace(/^\.\//, "");
    longName = null;
    if (type === "L") longName = body.toString("utf8").replace(/\0.*$/s, "");
    else if (type === "x") longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString("utf8"))?.[1] ?? null;
    else if (type === "0" || type === "7") out.set(name, body);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

import { createHash } from "node:crypto";

/** A file a renderer puts into a generation. */
export interface RenderedFile {
  readonly path: string;
  readonly content: Buffer;
  readonly mode: string;
  readonly owner: string;
  readonly group: string;
  /** The option that produced it, for messages: `files."/etc/motd"`, `systemd.services.web`. */
  readonly from: string;
  /** A file the host downloads: its content is not in the generation (content is empty). */
  readonly download?: { readonly url: string; readonly sha256: string };
}

/** The hash of a file's content: pinned for a download, computed otherwise. */
export function contentHash(f: RenderedFile): string {
  return f.download ? f.download.sha256 : sha256(f.content);
}

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export function rootFile(path: string, text: string, from: string, mode = "0644"): RenderedFile {
  return { path, content: Buffer.from(text, "utf8"), mode, owner: "root", group: "root", from };
}

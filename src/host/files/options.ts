import { option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";
import { ownership } from "../modes.ts";
import { managedPath } from "../reserved-paths.ts";

/** A sha256 written out by hand: 64 hex digits, and not a placeholder such as all zeros. */
export const pinnedSha256 = t.strSatisfying("sha256 (64 lower-case hex digits, as sha256sum prints it)", (v) => {
  if (!/^[0-9a-f]{64}$/.test(v)) return "it is not 64 lower-case hex digits";
  // A real digest uses about all sixteen digits; a placeholder (all zeros, "abab…") uses a few.
  if (new Set(v).size < 8) return "it looks like a placeholder, not the file's hash: run sha256sum on the file";
  if (v === "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") return "it is the hash of an empty file";
  return null;
});

const downloadUrl = t.strMatching(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$/, "http(s) URL");

const file = t.submodule({
  options: {
    text: option({
      type: t.nullOr(t.lines),
      default: null,
      description: "The file's content. Definitions in several modules are joined with newlines.",
      example: "net.ipv4.ip_forward = 1\n",
    }),
    source: option({
      type: t.nullOr(t.path),
      default: null,
      description:
        'A file on the controller whose content is copied (absolute path, e.g. `fileURLToPath(new URL("motd", import.meta.url))`).',
    }),
    url: option({
      type: t.nullOr(downloadUrl),
      default: null,
      description: "Where the host downloads the file's content (for software Debian does not package); needs sha256.",
      example: "https://github.com/prometheus/node_exporter/releases/download/v1.8.2/node_exporter-1.8.2.linux-amd64.tar.gz",
    }),
    sha256: option({
      type: t.nullOr(pinnedSha256),
      default: null,
      description: "With url: the content's sha256. The host refuses anything else, and the file changes exactly when this does.",
    }),
    ...ownership({ mode: "0644" }),
  },
  validate: (f) => {
    if ([f.text, f.source, f.url].filter((x) => x !== null).length !== 1) return "set exactly one of text, source and url";
    if ((f.url === null) !== (f.sha256 === null))
      return f.url === null ? "sha256 goes with url" : "a download needs its sha256, so the host can refuse anything else";
    return null;
  },
});

export const filesOptions = {
  files: option({
    type: t.attrsOf(file, managedPath),
    default: {},
    description: "Files Roost manages, by absolute path. Files Roost stops managing are removed; files it never managed are never touched.",
    example: { "/etc/motd": { text: "Welcome to roost.\n" } },
  }),
} satisfies OptionTree;

export const filesModule = defineHostModule({
  name: "files",
  options: filesOptions,
});

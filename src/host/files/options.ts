import { option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";
import { ownership } from "../modes.ts";
import { managedPath } from "../reserved-paths.ts";

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
      description: "A file on the controller whose content is copied (absolute path, e.g. `fileURLToPath(new URL(\"motd\", import.meta.url))`).",
    }),
    ...ownership({ mode: "0644" }),
  },
  validate: (f) => ((f.text === null) === (f.source === null) ? "set exactly one of text and source" : null),
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

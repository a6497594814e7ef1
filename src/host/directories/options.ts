import { option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";
import { ownership } from "../modes.ts";
import { cleanedDirectoryProblem, managedDirectory } from "../reserved-paths.ts";

const directory = t.submodule({
  options: {
    ...ownership({ mode: "0755" }),
    age: option({
      type: t.nullOr(t.strMatching(/^\d+(s|m|h|d|w)?$/, 'tmpfiles age such as "10d"')),
      default: null,
      description: "Remove entries older than this (systemd-tmpfiles clean).",
    }),
    removeOnBoot: option({ type: t.bool, default: false, description: "Empty the directory at boot (tmpfiles type D instead of d)." }),
  },
  validate: (d, path) => (d.removeOnBoot || d.age !== null ? cleanedDirectoryProblem(path) : null),
});

export const directoriesOptions = {
  directories: option({
    type: t.attrsOf(directory, managedDirectory),
    default: {},
    description: "Directories created with their owner and mode, rendered as a tmpfiles.d file and applied at activation and boot.",
    example: { "/srv/media": { owner: "jellyfin", mode: "0750" } },
  }),
} satisfies OptionTree;

export const directoriesModule = defineHostModule({
  name: "directories",
  options: directoriesOptions,
});

import { option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";

const repository = t.submodule({
  options: {
    uris: option({ type: t.listOf(t.strMatching(/^https?:\/\/\S+$/, "http(s) URL")), description: "Repository URLs.", example: ["https://apt.postgresql.org/pub/repos/apt"] }),
    suites: option({ type: t.listOf(t.strMatching(/^\S+$/, "suite name")), description: "Suites, e.g. bookworm-pgdg." }),
    components: option({ type: t.listOf(t.strMatching(/^\S+$/, "component name")), default: ["main"], description: "Components." }),
    architectures: option({ type: t.listOf(t.str), default: [], description: "Restrict to these architectures (empty: the host's)." }),
    key: option({
      type: t.strMatching(/-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]+-----END PGP PUBLIC KEY BLOCK-----/, "ASCII-armoured OpenPGP public key"),
      description: "The repository's signing key; the repository trusts only this key (Signed-By).",
    }),
  },
});

export const packagesOptions = {
  packages: option({
    type: t.listOf(t.pkg),
    default: [],
    description: "Debian packages installed with apt. A package no longer listed is left installed (apt autoremove is the operator's call).",
    example: ["htop", "restic"],
  }),
  apt: {
    repositories: option({
      type: t.attrsOf(repository, t.strMatching(/^[a-z0-9][a-z0-9-]*$/, "repository name (a-z, 0-9, -)")),
      default: {},
      description: "Extra apt repositories, each pinned to its own signing key.",
    }),
  },
} satisfies OptionTree;

export const packagesModule = defineHostModule({
  name: "packages",
  options: packagesOptions,
});

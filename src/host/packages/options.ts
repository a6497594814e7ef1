import { option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";

const word = (what: string, pattern: RegExp) => t.strMatching(pattern, what);
const armouredKey = /^\s*-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n(?:(?!-----)[\x20-\x7e\r\n])+\r?\n-----END PGP PUBLIC KEY BLOCK-----\s*$/;

const repository = t.submodule({
  options: {
    uris: option({
      type: t.listOf(word("http(s) URL", /^https?:\/\/[\x21-\x7e]+$/)),
      description: "Repository URLs.",
      example: ["https://apt.postgresql.org/pub/repos/apt"],
    }),
    suites: option({
      // A suite ending in / is a flat repository, which takes no components: Roost writes components.
      type: t.listOf(
        t.strSatisfying("suite name", (v) =>
          !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(v)
            ? "it is not a suite name"
            : v.endsWith("/")
              ? "a suite ending in / names a flat repository, which Roost does not write"
              : null,
        ),
      ),
      description: "Suites, e.g. bookworm-pgdg.",
    }),
    components: option({
      type: t.listOf(word("component name", /^[A-Za-z0-9][A-Za-z0-9._-]*$/)),
      default: ["main"],
      description: "Components.",
    }),
    architectures: option({
      type: t.listOf(word("Debian architecture such as amd64", /^[a-z0-9][a-z0-9-]*$/)),
      default: [],
      description: "Restrict to these architectures (empty: the host's).",
    }),
    key: option({
      type: t.strMatching(armouredKey, "one ASCII-armoured OpenPGP public key block"),
      description: "The repository's signing key; the repository trusts only this key (Signed-By).",
    }),
  },
  validate: (r) =>
    r.uris.length === 0 ? "a repository needs at least one URI" : r.suites.length === 0 ? "a repository needs at least one suite" : null,
});

export const packagesOptions = {
  packages: option({
    type: t.listOf(t.pkg),
    default: [],
    description:
      "Debian packages installed with apt. A package no longer listed is left installed (apt autoremove is the operator's call).",
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

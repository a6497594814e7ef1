import { option, types as t } from "../../core/index.ts";
import { pinnedSha256 } from "./options.ts";

export interface ReleaseArchive {
  /** How the archive's name ends. */
  readonly archive: "tar.gz" | "zip";
  /** A real release URL, for the option reference. */
  readonly example: string;
  /** What is in it, when it matters (e.g. "one binary"). */
  readonly contents?: string;
}

/**
 * The options of a release archive that a service downloads (software Debian does not package):
 * its URL and the sha256 it must have, both without a default, so nothing unpinned is fetched.
 * A service passes them to files.<path>.url and sha256.
 */
export function releaseOptions(what: string, { archive, example, contents }: ReleaseArchive) {
  const ending = archive.replace(".", "\\.");
  return {
    url: option({
      type: t.strMatching(
        new RegExp(`^https?://[A-Za-z0-9.:-]+/[A-Za-z0-9._~/%+-]+\\.${ending}$`),
        `http(s) URL of a .${archive} release (pinned by sha256)`,
      ),
      description: `The ${what} release ${archive} (linux-amd64${contents ? `, ${contents}` : ""}) the host downloads; pinned by sha256, no default.`,
      example,
    }),
    sha256: option({
      type: pinnedSha256,
      description: `The sha256 of the ${what} ${archive}, as published beside the release (sha256sum of the file); the host refuses any other content.`,
    }),
  };
}

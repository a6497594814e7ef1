import { RoostError, showPath } from "../../core/index.ts";
import type { HostConfig } from "../module.ts";
import { sha256 } from "../rendered.ts";
import { secretsDir } from "./options.ts";
import { secretsUsedBy } from "./uses.ts";

/** What the build knows of a stored secret: never its value, only its ciphertext. */
export interface StoredCiphertext {
  readonly version: string;
  readonly recipients: readonly string[];
  readonly value: string;
}

export interface SecretSource {
  /** Where the secrets live, for messages. */
  readonly file: string;
  lookup(name: string): StoredCiphertext | undefined;
}

export interface SecretEntry {
  readonly path: string;
  readonly owner: string;
  readonly group: string;
  readonly mode: string;
  readonly kind: "raw" | "env" | "template";
  readonly secrets: readonly string[];
  /** Changes exactly when one of the values it is made of changes. */
  readonly version: string;
}

/** The key part of an SSH public key ("ssh-ed25519 AAAA…"), without its comment. */
export const keyOf = (k: string) => k.trim().split(/\s+/).slice(0, 2).join(" ");

/**
 * Each secret output of a host: its manifest entry, and the generation's data files — the
 * ciphertexts it needs (encrypted to this host's key) and how to assemble them on the host.
 */
export function renderSecrets(
  config: HostConfig,
  host: string,
  hostKey: string | undefined,
  source: SecretSource | null,
): { entries: Record<string, SecretEntry>; data: Record<string, string> } {
  const outputs = Object.entries(config.secrets);
  if (outputs.length === 0) return { entries: {}, data: {} };
  const option = (name: string) => showPath(["secrets", name]);
  if (!source)
    throw new RoostError(
      `${host} uses secrets, but the fleet has no secrets file`,
      [`e.g. ${option(outputs[0]![0])}`],
      'add secrets: { admins: ["age1…"] } to defineFleet',
    );
  if (!hostKey) {
    throw new RoostError(
      `${host} uses secrets, but the fleet does not pin its SSH host key`,
      [],
      `add hostKey to the host (\`roost hosts keyscan ${host}\` prints it): secrets are encrypted to it`,
    );
  }
  if (!hostKey.startsWith("ssh-ed25519 ")) {
    throw new RoostError(
      `${host}'s pinned host key is not ssh-ed25519`,
      [keyOf(hostKey).slice(0, 40)],
      "secrets are encrypted to the host's ed25519 key: pin that one (roost hosts keyscan)",
    );
  }
  const entries: Record<string, SecretEntry> = {};
  const data: Record<string, string> = {};
  const tsv: string[] = [];
  for (const [name, o] of outputs) {
    const kind = o.secret ? "raw" : o.template !== null ? "template" : "env";
    const uses = secretsUsedBy(o);
    const versions: string[] = [];
    for (const secretName of uses) {
      const stored = source.lookup(secretName);
      if (!stored)
        throw new RoostError(
          `${option(name)} uses the secret ${JSON.stringify(secretName)}, which is not in ${source.file}`,
          [],
          `roost secrets set ${secretName}   (or roost secrets generate ${secretName})`,
        );
      if (!stored.recipients.map(keyOf).includes(keyOf(hostKey))) {
        throw new RoostError(
          `the secret ${JSON.stringify(secretName)} is not encrypted to ${host}'s host key`,
          [`needed by ${option(name)}`],
          "roost secrets rekey",
        );
      }
      data[`secrets/values/${secretName}.age`] = stored.value;
      versions.push(`${secretName}:${stored.version}`);
    }
    const path = o.path ?? `${secretsDir}/${name}`;
    if (kind === "env")
      data[`secrets/${name}.env`] = Object.entries(o.environment)
        .map(([k, r]) => `${k}\t${r.secret}\n`)
        .join("");
    if (kind === "raw") data[`secrets/${name}.raw`] = `${o.secret!.secret}\n`;
    if (kind === "template") {
      data[`secrets/${name}.template`] = o.template!;
      data[`secrets/${name}.uses`] = uses.map((u) => `${u}\n`).join("");
    }
    entries[name] = {
      path,
      owner: o.owner,
      group: o.group,
      mode: o.mode,
      kind,
      secrets: uses,
      version: sha256(versions.sort().join("\n")).slice(0, 16),
    };
    tsv.push([name, path, o.mode, o.owner, o.group, kind].join("\t"));
  }
  const byPath = new Map<string, string>();
  for (const [name, e] of Object.entries(entries)) {
    const other = byPath.get(e.path);
    if (other !== undefined)
      throw new RoostError(`${option(other)} and ${option(name)} write the same path ${e.path}`, [], "give one of them another path");
    byPath.set(e.path, name);
  }
  data["secrets.tsv"] = tsv
    .sort()
    .map((l) => `${l}\n`)
    .join("");
  return { entries, data };
}

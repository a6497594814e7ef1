import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { FleetEvaluation, type Fleet } from "../host/fleet.ts";
import { encrypt } from "../secrets/age.ts";
import { recipientsOf, secretReaders } from "../secrets/recipients.ts";
import { newVersion, SecretsFile } from "../secrets/secrets-file.ts";

/**
 * The secrets of a scenario: a throwaway secrets file beside the lab, with the values a test gives
 * and a random one for every other secret the deployed fleet uses, encrypted to the lab's host keys
 * (and to the lab's SSH key as the admin). A value stays the same for the whole scenario, so a
 * redeploy changes no secret unless the test says so.
 */
export class ScenarioSecrets {
  /** Plaintext by secret name: what the hosts will decrypt, for tests that check it never leaks. */
  readonly values: Record<string, string> = {};
  readonly #versions = new Map<string, string>();
  readonly #file: string;
  readonly #admin: string;

  constructor(
    labDir: string,
    labIdentity: string,
    private readonly given: Readonly<Record<string, string>> = {},
  ) {
    this.#file = path.join(labDir, "secrets.yaml");
    this.#admin = readFileSync(`${labIdentity}.pub`, "utf8").trim();
  }

  /** Give a secret a new value before the next deploy (a rotation). */
  set(name: string, value: string): void {
    this.values[name] = value;
    this.#versions.delete(name);
  }

  /** The fleet pointed at the scenario's secrets file, written for the secrets it uses. */
  async attach(fleet: Fleet): Promise<Fleet> {
    const withSecrets: Fleet = { ...fleet, secrets: { file: this.#file, admins: [this.#admin] } };
    const ev = new FleetEvaluation(withSecrets);
    const readers = secretReaders(ev);
    if (readers.size === 0) return withSecrets;
    const file = SecretsFile.read(this.#file);
    for (const [name, hosts] of readers) {
      const value = (this.values[name] ??= this.given[name] ?? randomBytes(18).toString("base64url"));
      if (!this.#versions.has(name)) this.#versions.set(name, newVersion());
      const { keys, names } = recipientsOf(ev, name, hosts);
      // The same value for the same keys keeps its ciphertext: a redeploy is the same generation.
      const stored = file.get(name);
      if (stored !== undefined && stored.version === this.#versions.get(name) && stored.recipients.join("\n") === keys.join("\n")) continue;
      file.set(name, {
        version: this.#versions.get(name)!,
        recipients: keys,
        readers: names,
        value: await encrypt(Buffer.from(value), keys),
      });
    }
    file.write();
    return withSecrets;
  }
}

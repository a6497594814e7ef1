import { mergeEqual } from "../merge.ts";
import { defineType, type OptionType } from "./define.ts";

/** A reference to a value in the fleet's encrypted secrets file. Never the value itself. */
export interface SecretRef {
  readonly secret: string;
}

export const secretName = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** `secret("smtp_password")`: refer to a secret by name. */
export function secret(name: string): SecretRef {
  if (!secretName.test(name)) throw new TypeError(`invalid secret name ${JSON.stringify(name)}: use letters, digits, _ . -`);
  return Object.freeze({ secret: name });
}

export function isSecretRef(v: unknown): v is SecretRef {
  return (
    typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as SecretRef).secret === "string"
  );
}

export const secretRef: OptionType<SecretRef> = defineType<SecretRef>({
  name: "secret",
  description: 'secret reference (secret("name"))',
  // What was written here by mistake may be the secret itself: never print it.
  sensitive: true,
  check: (v) => {
    if (typeof v === "string")
      return 'it is a plain string; secrets are referenced with secret("name") so their values never enter the configuration';
    if (!isSecretRef(v)) return false;
    return secretName.test(v.secret) || "the secret name may use letters, digits, _ . -";
  },
  merge: (path, defs) => mergeEqual(path, defs, "secret"),
});

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { RoostError } from "../../core/index.ts";
import { secretName } from "../../core/types/secret.ts";
import type { FleetEvaluation } from "../../host/fleet.ts";
import { keyOf } from "../../host/secrets/render.ts";
import { decrypt, encrypt } from "../../secrets/age.ts";
import { recipientsOf, secretReaders } from "../../secrets/recipients.ts";
import { newVersion, SecretsFile } from "../../secrets/secrets-file.ts";
import { openFleet, UsageError, type GlobalOptions } from "../context.ts";
import { exitCodes } from "../exit-codes.ts";

export interface SecretsOptions extends GlobalOptions {
  readonly identity?: string;
}

async function open(opts: SecretsOptions): Promise<{ fleet: FleetEvaluation; file: SecretsFile }> {
  const fleet = await openFleet(opts);
  if (!fleet.fleet.secrets) throw new RoostError("the fleet has no secrets", [], 'add secrets: { admins: ["age1…"] } to defineFleet');
  return { fleet, file: SecretsFile.read(fleet.fleet.secrets.file) };
}

function checkName(name: string): void {
  if (!secretName.test(name)) throw new UsageError(`invalid secret name ${JSON.stringify(name)}`, [], "use letters, digits, _ . -");
}

/** Encrypt a value to everyone who must read it and store it; a new value gets a new version. */
async function store(fleet: FleetEvaluation, file: SecretsFile, name: string, value: Buffer, version = newVersion()): Promise<string[]> {
  const readers = secretReaders(fleet).get(name) ?? new Set<string>();
  const { keys, names } = recipientsOf(fleet, name, readers);
  file.set(name, { version, recipients: keys, readers: names, value: await encrypt(value, keys) });
  return names;
}

function identityFile(opts: SecretsOptions): string {
  const candidates = [opts.identity, process.env.ROOST_AGE_IDENTITY, path.join(homedir(), ".ssh/id_ed25519")].filter(
    (c): c is string => !!c,
  );
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new RoostError(
      "no key to decrypt secrets with",
      [`tried: ${candidates.join(", ")}`],
      "pass --identity <file> or set ROOST_AGE_IDENTITY (an age identity or your SSH key)",
    );
  return found;
}

async function reveal(file: SecretsFile, name: string, opts: SecretsOptions): Promise<Buffer> {
  const stored = file.get(name);
  if (!stored)
    throw new RoostError(`there is no secret ${JSON.stringify(name)}`, [`secrets: ${[...file.entries.keys()].join(", ") || "(none)"}`]);
  const identity = identityFile(opts);
  const plain = await decrypt(stored.value, identity);
  if (!plain)
    throw new RoostError(
      `the secret ${JSON.stringify(name)} cannot be decrypted with ${identity}`,
      [],
      "use an admin's key (--identity), or ask an admin to add yours and rekey",
    );
  return plain;
}

async function readStdin(): Promise<Buffer> {
  if (process.stdin.isTTY)
    throw new UsageError("give the value on standard input", [], "printf %s 'value' | roost secrets set NAME, or roost secrets edit NAME");
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function secretsSet(name: string, opts: SecretsOptions): Promise<number> {
  checkName(name);
  const { fleet, file } = await open(opts);
  const value = await readStdin();
  if (value.length === 0) throw new UsageError("the value is empty");
  const readers = await store(fleet, file, name, value);
  file.write();
  console.log(`set ${name} (readable by ${readers.join(", ")})`);
  return exitCodes.ok;
}

export async function secretsGenerate(names: string[], opts: SecretsOptions & { length: number; force: boolean }): Promise<number> {
  const { fleet, file } = await open(opts);
  const wanted = names.length ? names : [...secretReaders(fleet).keys()].filter((n) => !file.get(n));
  for (const name of wanted) {
    checkName(name);
    if (file.get(name) && !opts.force) {
      console.log(`${name}: kept (it exists; --force replaces it)`);
      continue;
    }
    const readers = await store(fleet, file, name, Buffer.from(randomBytes(opts.length).toString("base64url")));
    console.log(`${name}: generated (readable by ${readers.join(", ")})`);
  }
  file.write();
  if (wanted.length === 0) console.log("every secret the fleet uses exists");
  return exitCodes.ok;
}

export async function secretsList(opts: SecretsOptions): Promise<number> {
  const { fleet, file } = await open(opts);
  const readers = secretReaders(fleet);
  const names = [...new Set([...file.entries.keys(), ...readers.keys()])].sort();
  for (const name of names) {
    const stored = file.get(name);
    const needed = recipientsOf(fleet, name, readers.get(name) ?? new Set());
    const state = !stored
      ? "MISSING (roost secrets set or generate)"
      : sameKeys(stored.recipients, needed.keys)
        ? ""
        : "STALE (roost secrets rekey)";
    console.log(`${name.padEnd(28)} ${needed.names.join(", ")}${state ? `  ${state}` : ""}`);
  }
  return exitCodes.ok;
}

export async function secretsRekey(opts: SecretsOptions): Promise<number> {
  const { fleet, file } = await open(opts);
  const readers = secretReaders(fleet);
  let changed = 0;
  for (const [name, stored] of file.entries) {
    const needed = recipientsOf(fleet, name, readers.get(name) ?? new Set());
    if (sameKeys(stored.recipients, needed.keys)) continue;
    await store(fleet, file, name, await reveal(file, name, opts), stored.version);
    console.log(`${name}: now readable by ${needed.names.join(", ")}`);
    changed++;
  }
  file.write();
  console.log(changed ? `rekeyed ${changed} secret${changed === 1 ? "" : "s"}` : "every secret is encrypted to exactly who reads it");
  return exitCodes.ok;
}

export async function secretsRemove(name: string, opts: SecretsOptions): Promise<number> {
  const { file } = await open(opts);
  if (!file.delete(name)) throw new UsageError(`there is no secret ${JSON.stringify(name)}`);
  file.write();
  console.log(`removed ${name}`);
  return exitCodes.ok;
}

/** Edit a value in $EDITOR; the plaintext lives in a private tmpfs file only while the editor runs. */
export async function secretsEdit(name: string, opts: SecretsOptions): Promise<number> {
  checkName(name);
  const { fleet, file } = await open(opts);
  if (!existsSync("/dev/shm"))
    throw new RoostError("no tmpfs at /dev/shm to edit in", [], "use roost secrets set NAME with the value on standard input");
  const before = file.get(name) ? await reveal(file, name, opts) : Buffer.alloc(0);
  const dir = mkdtempSync(path.join("/dev/shm", "roost-edit-"));
  const tmp = path.join(dir, name);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const onSignal = () => {
    cleanup();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    writeFileSync(tmp, before, { mode: 0o600 });
    const editor = process.env.VISUAL ?? process.env.EDITOR ?? "vi";
    const r = spawnSync("sh", ["-c", `${editor} "$1"`, "editor", tmp], { stdio: "inherit" });
    if (r.status !== 0) throw new RoostError(`${editor} exited ${r.status}; the secret is unchanged`);
    const after = readFileSync(tmp);
    if (after.equals(before)) {
      console.log(`${name}: unchanged`);
      return exitCodes.ok;
    }
    await store(fleet, file, name, after);
    file.write();
    console.log(`${name}: changed`);
    return exitCodes.ok;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    cleanup();
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a.map(keyOf));
  return x.size === new Set(b.map(keyOf)).size && b.every((k) => x.has(keyOf(k)));
}

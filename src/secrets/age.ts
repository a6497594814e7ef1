import { RoostError } from "../core/index.ts";
import { run } from "../run-command.ts";

/**
 * Encryption with age (Debian's `age` package): X25519 and ssh-ed25519 recipients, ASCII armour.
 * Plaintext only ever travels through pipes, never through files or arguments.
 */
export async function encrypt(plaintext: Buffer, recipients: readonly string[]): Promise<string> {
  if (recipients.length === 0)
    throw new RoostError("a secret needs at least one recipient", [], "list admin keys in defineFleet({ secrets: { admins: [...] } })");
  const args = ["-a", ...recipients.flatMap((r) => ["-r", r])];
  const r = await age(args, plaintext);
  if (r.code !== 0) throw new RoostError("age could not encrypt", [firstLine(r.stderr)]);
  return r.stdout.toString("utf8");
}

export async function decrypt(ciphertext: string, identityFile: string): Promise<Buffer | null> {
  const r = await age(["-d", "-i", identityFile], Buffer.from(ciphertext, "utf8"));
  return r.code === 0 ? r.stdout : null;
}

async function age(args: string[], input: Buffer): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  try {
    const r = await run("age", args, { input });
    return { code: r.code, stdout: r.stdoutBytes, stderr: r.stderr };
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code === "ENOENT" ? new RoostError("age is not installed", [], "apt-get install age") : e;
  }
}

function firstLine(s: string): string {
  return s.trim().split("\n")[0] ?? "";
}

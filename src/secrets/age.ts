import { spawn } from "node:child_process";
import { RoostError } from "../core/index.ts";

/**
 * Encryption with age (Debian's `age` package): X25519 and ssh-ed25519 recipients, ASCII armour.
 * Plaintext only ever travels through pipes, never through files or arguments.
 */
export async function encrypt(plaintext: Buffer, recipients: readonly string[]): Promise<string> {
  if (recipients.length === 0) throw new RoostError("a secret needs at least one recipient", [], "list admin keys in defineFleet({ secrets: { admins: [...] } })");
  const args = ["-a", ...recipients.flatMap((r) => ["-r", r])];
  const r = await age(args, plaintext);
  if (r.code !== 0) throw new RoostError("age could not encrypt", [firstLine(r.stderr)]);
  return r.stdout.toString("utf8");
}

export async function decrypt(ciphertext: string, identityFile: string): Promise<Buffer | null> {
  const r = await age(["-d", "-i", identityFile], Buffer.from(ciphertext, "utf8"));
  return r.code === 0 ? r.stdout : null;
}

function age(args: string[], input: Buffer): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("age", args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (e) => reject((e as NodeJS.ErrnoException).code === "ENOENT" ? new RoostError("age is not installed", [], "apt-get install age") : e));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input);
  });
}

function firstLine(s: string): string {
  return s.trim().split("\n")[0] ?? "";
}

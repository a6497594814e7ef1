import { types as t } from "../core/index.ts";

/** Trees on the host that belong to Roost or the kernel: no option may write into them. */
const owners: readonly (readonly [prefix: string, owner: string])[] = [
  ["/var/lib/roost", "Roost's own state (generations, store, locks)"],
  ["/run/roost", "Roost's runtime directory (secret outputs go there through the secrets option)"],
  ["/usr/local/lib/roost", "Roost's entry point on the host"],
  ["/proc", "a kernel file system"],
  ["/sys", "a kernel file system"],
  ["/dev", "the kernel's device tree"],
];

/** Directories that hold people's and services' data: a removeOnBoot or age rule would empty them. */
const dataDirs = new Set(["/home", "/mnt", "/media", "/opt", "/srv"]);

const within = (p: string, prefix: string) => p === prefix || p.startsWith(prefix + "/");

/** Why Roost may not write `p`, or null. */
export function reservedPathProblem(p: string): string | null {
  const hit = owners.find(([prefix]) => within(p, prefix));
  return hit ? `${hit[0]} is ${hit[1]}` : null;
}

/** Directories of the base system whose owner and mode the system itself sets: a rule would change them. */
const baseSystemDirs = new Set([
  "/",
  "/bin",
  "/boot",
  "/etc",
  "/lib",
  "/lib64",
  "/root",
  "/run",
  "/sbin",
  "/tmp",
  "/usr",
  "/var",
  "/var/lib",
  "/var/log",
  "/var/cache",
  "/var/spool",
  "/var/tmp",
]);

/** Why `directories.<p>` may not be declared at all, or null. */
export function declaredDirectoryProblem(p: string): string | null {
  return baseSystemDirs.has(p) ? `${p} belongs to the base system, which sets its owner and mode; declare a directory below it` : null;
}

/** Why a directory rule that deletes contents (removeOnBoot, age) may not apply to `p`, or null. */
export function cleanedDirectoryProblem(p: string): string | null {
  if (dataDirs.has(p)) return `${p} holds people's and services' data; emptying it would lose it`;
  const holds = owners.find(([prefix]) => within(prefix, p));
  return holds ? `${p} holds ${holds[0]}, which is ${holds[1]}` : null;
}

/** An absolute, normalised path outside Roost's and the kernel's own trees. */
export const managedPath = t.strSatisfying("absolute path", (v) => t.pathProblem(v) ?? reservedPathProblem(v));

/** A directory Roost may create and own: a managed path that is not one of the base system's own. */
export const managedDirectory = t.strSatisfying(
  "absolute path",
  (v) => t.pathProblem(v) ?? reservedPathProblem(v) ?? declaredDirectoryProblem(v),
);

export const secretOutputDir = "/run/roost/secrets";

/** Where a secret's plaintext may go: on tmpfs under /run, never in Roost's own files. */
export const secretOutputPath = t.strSatisfying("absolute path under /run", (v) => {
  const problem = t.pathProblem(v);
  if (problem) return problem;
  if (!v.startsWith("/run/")) return `the path ${v} is not under /run: decrypted secrets live on tmpfs only`;
  if (v.startsWith(secretOutputDir + "/") && !v.slice(secretOutputDir.length + 1).includes("/")) return null;
  return reservedPathProblem(v);
});

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { packageRoot } from "../package-root.ts";
import { journalOutputs, layout, layoutPrelude } from "./protocol.ts";

/** The bash scripts that run on hosts, read once from src/deploy/host/. */
function load(name: string): string {
  return readFileSync(path.join(packageRoot, "src/deploy/host", name), "utf8");
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_.:@%+=,/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The layout variables and the common prelude (helpers, validators), before each script. */
export const hostPrelude = layoutPrelude() + load("prelude.sh");
const assemble = (name: string, extra = "") => `#!/bin/bash\n${hostPrelude}${extra}\n${load(name)}`;
/** Shared by the scripts that run health checks (activate, report) and report drift (status, report). */
const healthChecks = load("health.sh");
const drift = load("drift.sh");

/** The one decision of what happens to each unit on a switch: run by the activation and by the plan. */
export const unitActionsAwk = load("unit-actions.awk");

/** The environment every verb's script runs in, as roost-host.sh starts it. */
export const verbEnvironment = ["env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "/bin/bash", "--"];

/** The verbs of the host entry point: each a fixed script, installed on the host. */
export const hostVerbs = ["status", "receive", "confirm", "generations", "objects", "report", "logs", "backup"] as const;
export type HostVerb = (typeof hostVerbs)[number];

export const hostScripts = {
  /** Shipped inside each generation, not installed: a rollback runs the old generation's own. */
  activate: assemble("activate.sh", `readonly UNIT_ACTIONS_AWK=${shellQuote(unitActionsAwk)}\n${healthChecks}`),
  status: assemble("status.sh", drift),
  receive: assemble("receive.sh"),
  confirm: assemble("confirm.sh"),
  generations: assemble("generations.sh"),
  objects: assemble("objects.sh"),
  report: assemble("report.sh", healthChecks + drift),
  logs: assemble("logs.sh", `readonly RE_OUTPUT='^(${journalOutputs.join("|")})$'\n`),
  backup: assemble("backup.sh"),
} as const;

/** The entry point itself: roost-host VERB ARGS…, dispatching to the scripts beside it. */
export const entryPointScript = assemble("roost-host.sh");

/** Names the installed entry point and scripts: a host with another version gets this one installed. */
export const hostToolsVersion = createHash("sha256")
  .update([entryPointScript, ...hostVerbs.map((v) => hostScripts[v])].join("\0"))
  .digest("hex")
  .slice(0, 16);

/**
 * A script, run as root, that installs the entry point and its scripts (root-owned, each renamed
 * into place) and records their version. It reads nothing from stdin.
 */
export function installScript(): string {
  installText ??= renderInstallScript();
  return installText;
}
let installText: string | undefined;

function renderInstallScript(): string {
  const files: [string, string, string][] = [
    ["roost-host", "0755", entryPointScript],
    ...hostVerbs.map((v): [string, string, string] => [`scripts/${v}.sh`, "0644", hostScripts[v]]),
  ];
  const d = layout.entryDir;
  return [
    "set -euo pipefail",
    "umask 022",
    `d=${d}`,
    `for p in /usr/local /usr/local/lib "$d" "$d/scripts"; do if [ -L "$p" ]; then echo "roost: $p is a symbolic link" >&2; exit 1; fi; done`,
    `mkdir -p "$d/scripts"`,
    `chown root:root "$d" "$d/scripts" && chmod 0755 "$d" "$d/scripts"`,
    `tmp=$(mktemp -d "$d/.install.XXXXXX")`,
    `trap 'rm -rf -- "$tmp"' EXIT`,
    `mkdir "$tmp/scripts"`,
    ...files.map(
      ([name, mode, text]) =>
        `printf '%s' ${gzipSync(text).toString("base64")} | base64 -d | gzip -dc > "$tmp/${name}" && chmod ${mode} "$tmp/${name}"`,
    ),
    ...files.map(([name]) => `mv -Tf "$tmp/${name}" "$d/${name}"`),
    `printf '%s\\n' ${hostToolsVersion} > "$tmp/version" && chmod 0644 "$tmp/version" && mv -Tf "$tmp/version" "$d/version"`,
  ].join("\n");
}

/** The sudoers line that lets `user` deploy: the entry point, and nothing else. */
export function sudoersLine(user: string): string {
  return `${user} ALL=(root) NOPASSWD: ${layout.entryPoint}`;
}

/** A script, run as root, that installs the entry point and the sudoers line for `user`. */
export function bootstrapScript(user: string): string {
  const file = `/etc/sudoers.d/roost-${user}`;
  return [
    installScript(),
    `if ! command -v visudo >/dev/null; then echo "roost: sudo is not installed (apt-get install sudo)" >&2; exit 1; fi`,
    `if ! getent passwd ${user} >/dev/null; then echo "roost: there is no user ${user} on this host" >&2; exit 1; fi`,
    `printf '%s\\n' ${shellQuote(sudoersLine(user))} > "$tmp/sudoers"`,
    `chmod 0440 "$tmp/sudoers"`,
    `visudo -cqf "$tmp/sudoers"`,
    `mv -Tf "$tmp/sudoers" ${file}`,
    `echo "installed ${layout.entryPoint} and ${file}"`,
  ].join("\n");
}

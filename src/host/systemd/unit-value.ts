import { types as t } from "../../core/index.ts";
import { unitTextProblem } from "./unit-file.ts";

/** A string systemd reads back exactly as given from one `Key=value` line. */
export const unitText = t.strSatisfying("string (one line)", unitTextProblem);

/** One item of a key systemd splits into words (paths, capabilities, system call sets). */
export const unitWord = t.strSatisfying(
  "word (no spaces, quotes or backslashes)",
  (v) =>
    unitTextProblem(v) ??
    (/[\s"'\\]/.test(v) ? "systemd splits this value into words: it cannot hold spaces, quotes or backslashes" : null),
);

/** What a raw unit key may be set to: a line of text, a number, a yes/no, or a list (one line each). */
export const unitScalar = t.oneOf([unitText, t.int, t.bool] as const);
export const unitValue = t.oneOf([unitText, t.int, t.bool, t.listOf(unitScalar)] as const);
export type UnitValue = string | number | boolean | readonly (string | number | boolean)[];

/** The key of a raw unit setting: letters and digits, as systemd's own keys are. */
export const unitKey = t.strMatching(/^[A-Za-z][A-Za-z0-9]*$/, "unit key (letters and digits, starting with a letter)");

const namePart = String.raw`(?:[A-Za-z0-9:_.-]|\\x[0-9a-f]{2})`;
const namePattern = `[A-Za-z0-9_]${namePart}*(?:@${namePart}*)?`;
const unitTypes = "service|socket|target|timer|path|mount|automount|slice|scope|device|swap";

/**
 * Units that systemd or Debian's base system own: a unit file of that name in /etc would replace
 * theirs (an empty one masks it), so Roost refuses to write one.
 */
const systemUnits = new Set([
  "basic",
  "default",
  "multi-user",
  "graphical",
  "sysinit",
  "local-fs",
  "local-fs-pre",
  "remote-fs",
  "network",
  "network-online",
  "network-pre",
  "shutdown",
  "rescue",
  "emergency",
  "sockets",
  "timers",
  "paths",
  "getty",
  "halt",
  "poweroff",
  "reboot",
  "kexec",
  "final",
  "umount",
  "swap",
  "nss-lookup",
  "nss-user-lookup",
  "time-sync",
  "time-set",
  "ssh",
  "sshd",
  "dbus",
  "cron",
  "systemd-journald",
  "systemd-logind",
  "systemd-networkd",
  "systemd-resolved",
  "systemd-timesyncd",
  "systemd-udevd",
  "user",
  "user-runtime-dir",
  "ssh@",
  "getty@",
  "serial-getty@",
  "user@",
  "container-getty@",
]);

function unitNameProblem(name: string): string | null {
  if (name.length > 240) return "it is longer than 240 characters";
  if (!new RegExp(`^${namePattern}$`).test(name))
    return "it may hold letters, digits, : _ . - and one @, and must start with a letter, digit or _";
  if (systemUnits.has(name) || name.startsWith("systemd-"))
    return "it is a unit of systemd or Debian's base system, which a Roost unit of that name would replace";
  return null;
}

/** A unit name without its suffix: "nginx", "restic-backup@daily". */
export const unitName = t.strSatisfying("unit name (letters, digits, : _ . - and one @)", unitNameProblem);

/** A full unit name with its type, as in After= or WantedBy=: "network-online.target". */
export const unitRef = t.strMatching(
  new RegExp(`^${namePattern}\\.(${unitTypes})$`),
  'unit name with its type, e.g. "network-online.target"',
);

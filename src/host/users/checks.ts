import { RoostError, RoostErrors, showPath, types as t, type Definable, type OptionPath } from "../../core/index.ts";

/** adduser's NAME_REGEX and SYS_NAME_REGEX (Debian 12), and useradd's length limit. */
export const nameRegex = /^[a-z][-a-z0-9_]*\$?$/;
export const systemNameRegex = /^[a-z_][-a-z0-9_]*\$?$/;
export const maxNameLength = 32;

/**
 * The groups of a Debian 12 base system (base-passwd, systemd, openssh-server): what a user's
 * extraGroups may name besides the groups the configuration declares.
 */
export const debianBaseGroups: readonly string[] = [
  "root",
  "daemon",
  "bin",
  "sys",
  "adm",
  "tty",
  "disk",
  "lp",
  "mail",
  "news",
  "uucp",
  "man",
  "proxy",
  "kmem",
  "dialout",
  "fax",
  "voice",
  "cdrom",
  "floppy",
  "tape",
  "sudo",
  "audio",
  "dip",
  "www-data",
  "backup",
  "operator",
  "list",
  "irc",
  "src",
  "shadow",
  "utmp",
  "video",
  "sasl",
  "plugdev",
  "staff",
  "games",
  "users",
  "nogroup",
  "systemd-journal",
  "systemd-network",
  "systemd-timesync",
  "input",
  "sgx",
  "kvm",
  "render",
  "messagebus",
  "_ssh",
  "crontab",
];

/** The problem with an account name, or null. */
export function accountNameProblem(name: string, system: boolean): string | null {
  if (name.length > maxNameLength) return `the name ${JSON.stringify(name)} is longer than ${maxNameLength} characters`;
  const regex = system ? systemNameRegex : nameRegex;
  if (!regex.test(name))
    return `the name ${JSON.stringify(name)} does not match adduser's ${system ? "SYS_NAME_REGEX" : "NAME_REGEX"} (${regex.source})`;
  return null;
}

type Entries<V> = t.OptionType<Record<string, V>, Readonly<Record<string, Definable<unknown>>>>;

/** Where the entry `key` of an attribute set was defined: one "defined in file:line" per definition. */
function sitesOf(path: OptionPath, key: string, defs: readonly t.Definition[]): string[] {
  return defs.filter((d) => Object.hasOwn(d.value as object, key)).map((d) => `defined in ${d.site.at([...path, key])}`);
}

/**
 * Sites of each account entry, kept for checks that span options (extraGroups against users.groups);
 * formatted only when a message prints them (finding a location parses the source file).
 */
export const entrySites = new WeakMap<object, () => string[]>();

/**
 * An attribute set of accounts with a rule across its entries (no two with one uid, …): `rule`
 * returns problems as [key, option below it, message]; each becomes an error naming the option and
 * where the entry was defined.
 */
export function accountsOf<V extends object>(
  elem: t.OptionType<V, any>,
  keys: t.OptionType<string>,
  rule: (entries: Readonly<Record<string, V>>) => [string, string, string][],
): Entries<V> {
  const inner = t.attrsOf(elem, keys) as unknown as Entries<V>;
  return t.defineType({
    ...inner,
    merge(path, defs) {
      const value = inner.merge(path, defs);
      for (const key of Object.keys(value)) entrySites.set(value[key]!, () => sitesOf(path, key, defs));
      const errors = rule(value).map(
        ([key, below, message]) =>
          new RoostError(`${showPath([...path, key, ...(below ? [below] : [])])}: ${message}`, sitesOf(path, key, defs)),
      );
      if (errors.length) throw errors.length === 1 ? errors[0]! : new RoostErrors(errors);
      return value;
    },
  });
}

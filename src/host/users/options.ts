import { mkDefault, option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";
import { accountName } from "../modes.ts";
import { accountNameProblem, accountsOf, debianBaseGroups, entrySites } from "./checks.ts";

const gecos = t.strSatisfying("GECOS field", (v) =>
  /[:\x00-\x1f\x7f]/.test(v) ? 'it holds ":", a line break or another control character, which would split the passwd entry' : null,
);

/** One line of authorized_keys: a line break would let one value add a second key. */
const authorizedKey = t.strSatisfying("SSH public key (one line)", (v) => {
  if (/[\x00-\x1f\x7f]/.test(v)) return "it holds a line break or another control character";
  return /(^|\s)(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}(\s|$)/.test(
    v,
  )
    ? null
    : "it is not an SSH public key (type, then base64)";
});

const user = t.submodule({
  options: {
    existing: option({
      type: t.bool,
      default: false,
      description:
        "The account exists on the host already and Roost did not create it (root, nobody, an account a package made): Roost manages only its authorizedKeys, in the home its passwd entry names, and no other option of it. Without this, declaring such an account is refused at deploy.",
    }),
    isSystemUser: option({ type: t.bool, default: false, description: "A system account (low uid, no login shell by default, no aging)." }),
    uid: option({ type: t.nullOr(t.ints.between(0, 4294967294)), default: null, description: "Fixed uid; null lets the host choose." }),
    group: option({ type: accountName, description: "Primary group.", defaultText: "the user's name (a group of that name is created)" }),
    extraGroups: option({
      type: t.listOf(accountName),
      default: [],
      description: "Supplementary groups: groups declared in users.groups, or groups of a Debian base system.",
      example: ["adm", "systemd-journal"],
    }),
    home: option({ type: t.path, description: "Home directory.", defaultText: "/home/<name>, or /var/lib/<name> for system users" }),
    createHome: option({ type: t.bool, default: true, description: "Create the home directory, owned by the user." }),
    shell: option({ type: t.path, description: "Login shell.", defaultText: "/bin/bash, or /usr/sbin/nologin for system users" }),
    description: option({ type: gecos, default: "", description: 'The GECOS field (no ":" or newline).' }),
    authorizedKeys: option({
      type: t.listOf(authorizedKey),
      default: [],
      description: "SSH public keys allowed to log in as this user, one authorized_keys line each (options may precede the key).",
    }),
  },
  config: ({ name, config }) => ({
    group: mkDefault(name),
    home: mkDefault(config.isSystemUser ? `/var/lib/${name}` : `/home/${name}`),
    shell: mkDefault(config.isSystemUser ? "/usr/sbin/nologin" : "/bin/bash"),
  }),
  validate: (u, name) => {
    if (u.existing) return null;
    if (u.uid === 0) return "uid 0 is root's: declare users.users.root with existing = true to manage its keys";
    return accountNameProblem(name, u.isSystemUser);
  },
});

const group = t.submodule({
  options: {
    gid: option({ type: t.nullOr(t.ints.between(0, 4294967294)), default: null, description: "Fixed gid; null lets the host choose." }),
    isSystemGroup: option({ type: t.bool, default: true, description: "Allocate the gid from the system range." }),
  },
  validate: (g, name) => (g.gid === 0 ? "gid 0 is root's group" : accountNameProblem(name, true)),
});

type User = (typeof user)["__value"] & {};

/** Two of the given entries with the same value of `id`: [key of the second, message]. */
function duplicates<E>(
  entries: Readonly<Record<string, E>>,
  id: (e: E) => number | null,
  what: string,
  option: string,
): [string, string, string][] {
  const seen = new Map<number, string>();
  const out: [string, string, string][] = [];
  for (const [key, e] of Object.entries(entries)) {
    const n = id(e);
    if (n === null) continue;
    const other = seen.get(n);
    if (other === undefined) seen.set(n, key);
    else out.push([key, option, `${what} ${n} is also ${other}'s`]);
  }
  return out;
}

export const usersOptions = {
  users: {
    users: option({
      type: accountsOf(user, accountName, (users) => [
        ...duplicates(users, (u) => (u.existing ? null : u.uid), "uid", "uid"),
        ...sharedHomes(users),
      ]),
      default: {},
      description:
        "Accounts Roost creates, and manages from then on (the host records them). Removing one from the config leaves the account (and its files) on the host; a rollback restores the previous generation's settings of the accounts Roost manages.",
    }),
    groups: option({
      type: accountsOf(group, accountName, (groups) => duplicates(groups, (g) => g.gid, "gid", "gid")),
      default: {},
      description: "Groups Roost creates (an existing group is used as it is).",
    }),
  },
} satisfies OptionTree;

/** Two users with one home and keys each: one authorized_keys file cannot hold both. */
function sharedHomes(users: Readonly<Record<string, User>>): [string, string, string][] {
  const byHome = new Map<string, string>();
  const out: [string, string, string][] = [];
  for (const [name, u] of Object.entries(users)) {
    if (u.existing || u.authorizedKeys.length === 0) continue;
    const other = byHome.get(u.home);
    if (other === undefined) byHome.set(u.home, name);
    else
      out.push([
        name,
        "home",
        `${u.home} is also ${other}'s home, and both have authorizedKeys: one ~/.ssh/authorized_keys cannot serve both`,
      ]);
  }
  return out;
}

/** extraGroups must name groups that exist: declared ones or Debian's own (a module apart: it reads users.groups). */
const extraGroupsModule = defineHostModule({
  name: "users-extra-groups",
  config: ({ config }) => {
    const known = new Set([...debianBaseGroups, ...Object.keys(config.users.groups)]);
    return {
      assertions: Object.entries(config.users.users)
        .filter(([, u]) => !u.existing)
        .flatMap(([name, u]) =>
          u.extraGroups
            .filter((g) => !known.has(g))
            .map((g) => ({
              assertion: false,
              message: `users.users.${name}.extraGroups: ${JSON.stringify(g)} is neither declared in users.groups nor a group of a Debian 12 base system (${entrySites.get(u)?.().join("; ") || "defined in the configuration"})`,
            })),
        ),
    };
  },
});

export const usersModule = defineHostModule({
  name: "users",
  imports: [extraGroupsModule],
  options: usersOptions,
  config: ({ config }) => {
    const created = Object.entries(config.users.users).filter(([, u]) => !u.existing);
    const withKeys = created.filter(([, u]) => u.authorizedKeys.length > 0);
    return {
      // A user is enough to get its primary group, as with adduser.
      users: { groups: Object.fromEntries(created.map(([, u]) => [u.group, {}])) },
      directories: Object.fromEntries(withKeys.map(([name, u]) => [`${u.home}/.ssh`, { owner: name, group: u.group, mode: "0700" }])),
      files: Object.fromEntries(
        withKeys.map(([name, u]) => [
          `${u.home}/.ssh/authorized_keys`,
          { text: u.authorizedKeys.join("\n") + "\n", owner: name, group: u.group, mode: "0600" },
        ]),
      ),
    };
  },
});

import { mkDefault, option, types as t, type OptionTree } from "../../core/index.ts";
import { defineHostModule } from "../module.ts";
import { accountName } from "../modes.ts";

const user = t.submodule({
  options: {
    isSystemUser: option({ type: t.bool, default: false, description: "A system account (low uid, no login shell by default, no aging)." }),
    uid: option({ type: t.nullOr(t.ints.between(0, 4294967294)), default: null, description: "Fixed uid; null lets the host choose." }),
    group: option({ type: accountName, description: "Primary group.", defaultText: "the user's name (a group of that name is created)" }),
    extraGroups: option({ type: t.listOf(accountName), default: [], description: "Supplementary groups.", example: ["docker", "systemd-journal"] }),
    home: option({ type: t.path, description: "Home directory.", defaultText: "/home/<name>, or /var/lib/<name> for system users" }),
    createHome: option({ type: t.bool, default: true, description: "Create the home directory, owned by the user." }),
    shell: option({ type: t.path, description: "Login shell.", defaultText: "/bin/bash, or /usr/sbin/nologin for system users" }),
    description: option({ type: t.str, default: "", description: "The GECOS field." }),
    authorizedKeys: option({ type: t.listOf(t.str), default: [], description: "SSH public keys allowed to log in as this user." }),
  },
  config: ({ name, config }) => ({
    group: mkDefault(name),
    home: mkDefault(config.isSystemUser ? `/var/lib/${name}` : `/home/${name}`),
    shell: mkDefault(config.isSystemUser ? "/usr/sbin/nologin" : "/bin/bash"),
  }),
});

const group = t.submodule({
  options: {
    gid: option({ type: t.nullOr(t.ints.between(0, 4294967294)), default: null, description: "Fixed gid; null lets the host choose." }),
    isSystemGroup: option({ type: t.bool, default: true, description: "Allocate the gid from the system range." }),
  },
});

export const usersOptions = {
  users: {
    users: option({ type: t.attrsOf(user, accountName), default: {}, description: "Accounts Roost creates. Removing one from the config leaves the account (and its files) on the host." }),
    groups: option({ type: t.attrsOf(group, accountName), default: {}, description: "Groups Roost creates." }),
  },
} satisfies OptionTree;

export const usersModule = defineHostModule({
  name: "users",
  options: usersOptions,
  config: ({ config }) => {
    const users = Object.entries(config.users.users);
    const withKeys = users.filter(([, u]) => u.authorizedKeys.length > 0);
    return {
      // A user is enough to get its primary group, as with adduser.
      users: { groups: Object.fromEntries(users.map(([, u]) => [u.group, {}])) },
      directories: Object.fromEntries(withKeys.map(([name, u]) => [`${u.home}/.ssh`, { owner: name, group: u.group, mode: "0700" }])),
      files: Object.fromEntries(
        withKeys.map(([name, u]) => [`${u.home}/.ssh/authorized_keys`, { text: u.authorizedKeys.join("\n") + "\n", owner: name, group: u.group, mode: "0600" }]),
      ),
    };
  },
});

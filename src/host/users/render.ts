import type { HostConfig } from "../module.ts";

export interface UserEntry {
  /** An account that was on the host before Roost: only its authorizedKeys are managed. */
  readonly existing: boolean;
  readonly system: boolean;
  readonly uid: number | null;
  readonly group: string;
  readonly extraGroups: readonly string[];
  readonly home: string;
  readonly createHome: boolean;
  readonly shell: string;
  readonly description: string;
  /** For existing accounts only (the others get a managed file): installed in the home passwd names. */
  readonly authorizedKeys: readonly string[];
}

export interface GroupEntry {
  readonly gid: number | null;
  readonly system: boolean;
}

/** Accounts are not files: the manifest lists them and activation creates them with useradd. */
export function renderUsers(config: HostConfig): { users: Record<string, UserEntry>; groups: Record<string, GroupEntry> } {
  const users = Object.fromEntries(
    Object.entries(config.users.users).map(([name, u]) => [
      name,
      {
        existing: u.existing,
        system: u.isSystemUser,
        uid: u.uid,
        group: u.group,
        extraGroups: [...u.extraGroups].sort(),
        home: u.home,
        createHome: u.createHome,
        shell: u.shell,
        description: u.description,
        authorizedKeys: u.existing ? [...u.authorizedKeys] : [],
      },
    ]),
  );
  const groups = Object.fromEntries(
    Object.entries(config.users.groups).map(([name, g]) => [name, { gid: g.gid, system: g.isSystemGroup }]),
  );
  return { users, groups };
}

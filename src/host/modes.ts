import { option, types as t } from "../core/index.ts";

/** File modes are written as octal strings, as chmod takes them: "0644", "0400", "1777". */
export const mode = t.strMatching(/^[0-7]?[0-7]{3}$/, 'octal file mode such as "0644"');

/** A user or group name as Debian's adduser accepts it. */
export const accountName = t.strMatching(/^[a-z_][a-z0-9_-]*\$?$/, "user or group name (lower case, digits, _ and -)");

export function ownership(defaults: { mode: string }) {
  return {
    mode: option({ type: mode, default: defaults.mode, description: "Permissions, in octal." }),
    owner: option({ type: accountName, default: "root", description: "Owning user." }),
    group: option({ type: accountName, default: "root", description: "Owning group." }),
  };
}

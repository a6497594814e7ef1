import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../package-root.ts";
import type { Lab } from "./lab.ts";

/**
 * Write a fleet file that re-exports `fleetFile`'s fleet with the lab's addresses and host keys, so
 * the real `roost` command can deploy to the lab. It is written under .roost/ in Roost's checkout,
 * where `import … from "roost"` resolves.
 */
export function writeLabFleetFile(lab: Lab, fleetFile: string, name: string, user = "root"): string {
  const dir = path.join(packageRoot, ".roost", name);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "roost.config.ts");
  // Only the lab hosts the fleet has (a fleet file may add hosts depending on its environment).
  const hosts = [...lab.hosts.values()].map((h) => {
    const name = JSON.stringify(h.name);
    return `    ...(fleet.hosts[${name}] ? { ${name}: { ...fleet.hosts[${name}]!, address: ${JSON.stringify(`${user}@${h.address}`)}, hostKey: ${JSON.stringify(h.hostKey)} } } : {}),`;
  });
  writeFileSync(
    file,
    [
      `import { defineFleet } from "roost";`,
      `import fleet from ${JSON.stringify(path.relative(dir, fleetFile))};`,
      ``,
      `export default defineFleet({`,
      `  modules: fleet.modules as never,`,
      `  secrets: fleet.secrets ? { file: fleet.secrets.file, admins: fleet.secrets.admins } : undefined,`,
      `  hosts: {`,
      ...hosts,
      `  },`,
      `});`,
      ``,
    ].join("\n"),
  );
  return file;
}

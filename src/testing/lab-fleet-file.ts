import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../package-root.ts";
import type { Lab } from "./lab.ts";

/**
 * Write a fleet file that re-exports `fleetFile`'s fleet with the lab's addresses and host keys
 * (forced deployment.* options), so the real `roost` command can deploy to the lab. It is written under .roost/ in Roost's checkout,
 * where `import … from "roost"` resolves.
 */
export function writeLabFleetFile(lab: Lab, fleetFile: string, name: string, user = "root"): string {
  const dir = path.join(packageRoot, ".roost", name);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "roost.config.ts");
  // Only the lab hosts the fleet has (a fleet file may add hosts depending on its environment).
  const hosts = [...lab.hosts.values()].map((h) => {
    const name = JSON.stringify(h.name);
    const target = `{ deployment: mkForce({ targetHost: ${JSON.stringify(h.address)}, targetUser: ${JSON.stringify(user)}, targetPort: null, hostKey: ${JSON.stringify(h.hostKey)} }), networking: { addresses: mkForce([${JSON.stringify(h.address)}]) } }`;
    const host = `fleet.hosts[${name}]!`;
    // The roost command reads the forced options only, so each value appears once in the file.
    return `    ...(fleet.hosts[${name}] ? { ${name}: { ...${host}, modules: [...${host}.modules, defineModule({ config: ${target} })] } } : {}),`;
  });
  writeFileSync(
    file,
    [
      `import { defineFleet, defineModule, mkForce } from "roost";`,
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

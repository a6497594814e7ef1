import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The directory of Roost's package.json, found from this file whether Roost runs from its
 * TypeScript sources or from the bundle in dist/.
 */
export const packageRoot: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "roost") return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find Roost's package.json");
    dir = parent;
  }
})();

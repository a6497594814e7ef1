import type { Manifest } from "../build/manifest.ts";

/**
 * The generation's data as the activation script reads it: tab-separated lines, one entry each,
 * lists joined with commas and "-" for none. Paths and names cannot hold tabs or newlines (their
 * option types forbid them); free text is flattened.
 */
export function hostDataFiles(manifest: Manifest): Record<string, string> {
  const flat = (s: string) => s.replace(/[\t\n\r]/g, " ");
  const list = (xs: readonly string[]) => (xs.length ? xs.join(",") : "-");
  const lines = (rows: (string | number)[][]) => rows.map((r) => r.join("\t") + "\n").join("");
  const sorted = <T>(o: Readonly<Record<string, T>>) => Object.keys(o).sort().map((k) => [k, o[k]!] as const);
  return {
    "files.tsv": lines(sorted(manifest.files).map(([p, f]) => [p, f.sha256, f.mode, f.owner, f.group])),
    "units.tsv": lines(sorted(manifest.units).map(([n, u]) => [n, u.sha256, u.reload ?? "-", u.restartIfChanged ? 1 : 0, list(u.wantedBy)])),
    "groups.tsv": lines(sorted(manifest.groups).map(([n, g]) => [n, g.gid ?? "-", g.system ? 1 : 0])),
    "users.tsv": lines(
      sorted(manifest.users).map(([n, u]) => [n, u.uid ?? "-", u.group, list(u.extraGroups), u.home, u.createHome ? 1 : 0, u.shell, u.system ? 1 : 0, flat(u.description) || "-"]),
    ),
    "packages.txt": manifest.packages.map((p) => `${p}\n`).join(""),
    "health.tsv": lines(
      sorted(manifest.healthChecks).map(([n, c]) => {
        switch (c.type) {
          case "unit":
            return [n, "unit", c.timeout, c.unit];
          case "tcp":
            return [n, "tcp", c.timeout, c.host, c.port];
          case "http":
            return [n, "http", c.timeout, c.url, c.expectStatus, flat(c.expectBody ?? "")];
        }
      }),
    ),
  };
}

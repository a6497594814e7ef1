import type { Manifest } from "../build/manifest.ts";
import { RoostError } from "../core/index.ts";

/**
 * The one encoder of the generation's data as the host scripts read it (prelude.sh `row`):
 * tab-separated lines, one entry each. Every field either matches a strict pattern or is free text,
 * percent-encoded ("%", "\" and control characters as %XX) so that it round-trips; anything else is
 * refused here, before it reaches a host. The scripts check every field again before using it.
 */
export const fieldPatterns = {
  name: /^[a-z_][a-z0-9_-]{0,30}\$?$/,
  unit: /^[A-Za-z0-9:_.\\@-]+$/,
  hash: /^[0-9a-f]{64}$/,
  mode: /^[0-7]?[0-7]{3}$/,
  pkg: /^[a-z0-9][a-z0-9+.-]+$/,
  check: /^[A-Za-z0-9][A-Za-z0-9_.@:-]*$/,
  secret: /^[A-Za-z0-9][A-Za-z0-9_.@-]*$/,
  host: /^[A-Za-z0-9.:-]+$/,
  path: /^\/[^\x00-\x1f\x7f\\]*$/,
  url: /^https?:\/\/[^\s\x00-\x1f\x7f'"\\`$]+$/,
} as const;

type FieldType = keyof typeof fieldPatterns;

const what: Record<FieldType, string> = {
  name: "a user or group name (a-z, 0-9, _ and -, at most 32 characters)",
  unit: "a systemd unit name",
  hash: "a sha256 hash",
  mode: "an octal file mode",
  pkg: "a Debian package name",
  check: "a health check name (letters, digits, _ . @ : -)",
  secret: "a secret name (letters, digits, _ . @ -)",
  host: "a host name or address",
  path: "an absolute path without control characters or backslashes",
  url: "an http(s) URL without spaces, quotes, backslashes or $",
};

/** Percent-encode free text: "%", "\" and control characters; everything else stays as it is. */
export function encodeText(s: string, where: string): string {
  if (s.includes("\0")) throw new RoostError(`${where}: a NUL character cannot reach a host`, [`value: ${JSON.stringify(s)}`]);
  return s.replace(/[%\\\x00-\x1f\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

function strict(type: FieldType, value: string, where: string): string {
  if (!fieldPatterns[type].test(value) || (type === "path" && `${value}/`.includes("/../"))) {
    throw new RoostError(`${where}: ${JSON.stringify(value)} cannot be sent to a host`, [`expected ${what[type]}`]);
  }
  return value;
}

/** Paths and URLs are checked strictly, then encoded like text (a path may hold a %). */
const encoded = (type: "path" | "url", value: string, where: string) => encodeText(strict(type, value, where), where);

/** A command's words as one field: each word encoded like text, with its spaces too, joined by spaces. */
const argv = (words: readonly string[], where: string): string => {
  if (words.length === 0 || words.some((w) => w === "")) throw new RoostError(`${where}: a command needs a program and no empty arguments`);
  return words.map((w) => encodeText(w, where).replaceAll(" ", "%20")).join(" ");
};

const uint = (n: number, where: string): string => {
  if (!Number.isSafeInteger(n) || n < 0 || n > 4294967295) throw new RoostError(`${where}: ${n} is not a whole number the host can read`);
  return String(n);
};
const seconds = (n: number, where: string) => uint(Math.ceil(n), where);
const bit = (b: boolean) => (b ? "1" : "0");
const list = (type: FieldType, xs: readonly string[], where: string) => (xs.length ? xs.map((x) => strict(type, x, where)).join(",") : "-");
const lines = (rows: string[][]) => rows.map((r) => r.join("\t") + "\n").join("");
const sorted = <T>(o: Readonly<Record<string, T>>) =>
  Object.keys(o)
    .sort()
    .map((k) => [k, o[k]!] as const);

/** units.tsv: what unit-actions.awk decides from, on the host and in the plan. */
export function unitsTsv(units: Manifest["units"]): string {
  return lines(
    sorted(units).map(([n, u]) => {
      const at = `systemd unit ${n}`;
      return [
        strict("unit", n, at),
        strict("hash", u.sha256, at),
        u.reload === null ? "-" : strict("hash", u.reload, at),
        bit(u.restartIfChanged),
        list("unit", u.wantedBy, `${at}.wantedBy`),
      ];
    }),
  );
}

/** The generation's data files: files.tsv, units.tsv, users.tsv, groups.tsv, health.tsv, packages.txt, secrets.tsv. */
export function hostDataFiles(manifest: Manifest): Record<string, string> {
  const files = sorted(manifest.files).map(([p, f]) => {
    const at = `files.${JSON.stringify(p)}`;
    return [
      encoded("path", p, at),
      strict("hash", f.sha256, at),
      strict("mode", f.mode, `${at}.mode`),
      strict("name", f.owner, `${at}.owner`),
      strict("name", f.group, `${at}.group`),
    ];
  });
  const groups = sorted(manifest.groups).map(([n, g]) => {
    const at = `users.groups.${n}`;
    return [strict("name", n, at), g.gid === null ? "-" : uint(g.gid, `${at}.gid`), bit(g.system)];
  });
  const users = sorted(manifest.users).map(([n, u]) => {
    const at = `users.users.${n}`;
    if (/[:\x00-\x1f\x7f]/.test(u.description))
      throw new RoostError(`${at}.description: the GECOS field cannot hold ":" or control characters`, [
        `value: ${JSON.stringify(u.description)}`,
      ]);
    return [
      strict("name", n, at),
      u.uid === null ? "-" : uint(u.uid, `${at}.uid`),
      strict("name", u.group, `${at}.group`),
      list("name", u.extraGroups, `${at}.extraGroups`),
      encoded("path", u.home, `${at}.home`),
      bit(u.createHome),
      encoded("path", u.shell, `${at}.shell`),
      bit(u.system),
      encodeText(u.description, `${at}.description`),
      bit(u.existing),
      bit(u.existing && u.authorizedKeys.length > 0),
    ];
  });
  const health = sorted(manifest.healthChecks).map(([n, c]) => {
    const at = `healthChecks.${JSON.stringify(n)}`;
    const head = [strict("check", n, at), c.type, seconds(c.timeout, `${at}.timeout`)];
    switch (c.type) {
      case "unit":
        return [...head, strict("unit", c.unit, `${at}.unit`)];
      case "tcp":
        return [...head, strict("host", c.host, `${at}.host`), uint(c.port, `${at}.port`)];
      case "http":
        return [
          ...head,
          encoded("url", c.url, `${at}.url`),
          uint(c.expectStatus, `${at}.expectStatus`),
          encodeText(c.expectBody ?? "", `${at}.expectBody`),
        ];
      case "command":
        return [
          ...head,
          uint(c.expectExitCode, `${at}.expectExitCode`),
          c.user === null ? "-" : strict("name", c.user, `${at}.user`),
          argv(c.command, `${at}.command`),
        ];
    }
  });
  const secrets = sorted(manifest.secrets).map(([n, s]) => {
    const at = `secrets.${JSON.stringify(n)}`;
    return [
      strict("secret", n, at),
      encoded("path", s.path, `${at}.path`),
      strict("mode", s.mode, `${at}.mode`),
      strict("name", s.owner, `${at}.owner`),
      strict("name", s.group, `${at}.group`),
      s.kind,
    ];
  });
  // One row per content: two paths with one download fetch it once.
  const downloads = [
    ...new Map(
      sorted(manifest.files).flatMap(([p, f]): [string, string[]][] =>
        f.url
          ? [[f.sha256, [strict("hash", f.sha256, `files.${JSON.stringify(p)}`), encoded("url", f.url, `files.${JSON.stringify(p)}.url`)]]]
          : [],
      ),
    ).values(),
  ];
  const data: Record<string, string> = {
    "files.tsv": lines(files),
    "units.tsv": unitsTsv(manifest.units),
    "groups.tsv": lines(groups),
    "users.tsv": lines(users),
    "packages.txt": manifest.packages.map((p) => `${strict("pkg", p, "packages")}\n`).join(""),
    "health.tsv": lines(health),
    "downloads.tsv": lines(downloads),
  };
  if (secrets.length) data["secrets.tsv"] = lines(secrets);
  // An existing account's keys: installed where its passwd entry says its home is.
  for (const [n, u] of sorted(manifest.users)) {
    if (u.existing && u.authorizedKeys.length)
      data[`users/${n}.keys`] = u.authorizedKeys.map((k) => `${k.replace(/[\r\n]+/g, " ").trim()}\n`).join("");
  }
  return data;
}

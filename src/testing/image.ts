import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive } from "./network.ts";
import { mkdir, rm, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { runOk } from "../run-command.ts";

/** Packages every test host has: what Roost's deploy needs, plus what tests and the demo use. */
export const basePackages = [
  "systemd",
  "systemd-sysv",
  "openssh-server",
  "dbus",
  "iproute2",
  "ca-certificates",
  "python3",
  "nftables",
  "busybox",
  "curl",
  "rsync",
  "htop",
  "sudo",
  "age",
] as const;

/** Bumped when the customisation below changes, so cached images are rebuilt. */
const recipeVersion = 1;

export const imageCache = process.env.ROOST_TEST_IMAGE_CACHE ?? "/var/cache/roost/test-images";

function baseImageDir(packages: readonly string[]): string {
  const key = createHash("sha256")
    .update(JSON.stringify({ recipeVersion, packages: [...packages].sort() }))
    .digest("hex")
    .slice(0, 16);
  return path.join(imageCache, `bookworm-${key}`);
}

/** Whether the base image is built already (else the first lab builds it, about a minute). */
export function baseImageReady(packages: readonly string[] = basePackages): boolean {
  return existsSync(path.join(baseImageDir(packages), ".complete"));
}

/** The directory of a cached Debian 12 base image, built once per package list (about 45 s). */
export async function ensureBaseImage(packages: readonly string[] = basePackages): Promise<string> {
  const dir = baseImageDir(packages);
  if (existsSync(path.join(dir, ".complete"))) return dir;
  await mkdir(imageCache, { recursive: true });
  // Test files start in parallel: one builds, the others wait for it.
  const lock = `${dir}.lock`;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch {
      const owner = Number(readFileSync(lock, "utf8") || "0");
      if (!owner || !isAlive(owner)) rmSync(lock, { force: true });
      else await sleep(500);
      if (existsSync(path.join(dir, ".complete"))) return dir;
    }
  }
  try {
    if (!existsSync(path.join(dir, ".complete"))) await buildImage(dir, packages);
  } finally {
    rmSync(lock, { force: true });
  }
  return dir;
}

async function buildImage(dir: string, packages: readonly string[]): Promise<void> {
  const building = `${dir}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  await runOk("debootstrap", ["--variant=minbase", `--include=${packages.join(",")}`, "bookworm", building, debianMirror()]);
  await customise(building);
  await writeFile(path.join(building, ".complete"), new Date(0).toISOString());
  await rm(dir, { recursive: true, force: true });
  await rename(building, dir);
}

/** The Debian mirror this machine's own apt uses (never a hard-coded host). */
export function debianMirror(): string {
  const candidates = ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    const m = /^URIs:\s*(\S+\/debian)\s*$/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\s+bookworm\b/m.exec(text);
    if (m) return m[1]!;
  }
  throw new Error("cannot find this machine's Debian mirror in /etc/apt/sources.list(.d)");
}

async function customise(root: string): Promise<void> {
  await rm(path.join(root, "etc/hostname"), { force: true });
  await writeFile(path.join(root, "etc/machine-id"), "");
  await writeFile(path.join(root, "etc/hosts"), "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n");
  await mkdir(path.join(root, "etc/systemd/network"), { recursive: true });
  await writeFile(
    path.join(root, "etc/systemd/network/80-container-host0.network"),
    "[Match]\nKind=veth\nName=host0\nVirtualization=container\n\n[Network]\nLinkLocalAddressing=no\n",
  );
  await runOk("chroot", [root, "systemctl", "enable", "systemd-networkd"]);
  // Host keys are made per host at start; the base must not carry any.
  await runOk("sh", ["-c", `rm -f ${root}/etc/ssh/ssh_host_*`]);
  // Boot fast: nothing in a test host needs these.
  await runOk("chroot", [
    root,
    "systemctl",
    "mask",
    "apt-daily.timer",
    "apt-daily-upgrade.timer",
    "e2scrub_all.timer",
    "fstrim.timer",
    "systemd-timesyncd.service",
  ]);
  await mkdir(path.join(root, "root/.ssh"), { recursive: true, mode: 0o700 });
}

// The main job: start local test hosts for the example fleet, deploy it with the real CLI, show
// what runs where, deploy again (nothing changes), then tear the hosts down.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Fleet } from "../src/host/fleet.ts";
import { baseImageReady, imageCache } from "../src/testing/image.ts";
import { Lab } from "../src/testing/lab.ts";
import { writeLabFleetFile } from "../src/testing/lab-fleet-file.ts";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const example = path.join(repo, "examples/homelab/roost.config.ts");
const fleet = (await import(example)).default as Fleet;

if (!baseImageReady())
  console.log(`== building the Debian 12 base image for test hosts with debootstrap: once, about a minute (kept in ${imageCache})`);
console.log(`== starting ${Object.keys(fleet.hosts).length} test hosts (systemd-nspawn, one network namespace each)`);
const started = Date.now();
const lab = await Lab.start({ hosts: Object.keys(fleet.hosts) });
console.log(
  `   ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${[...lab.hosts.values()].map((h) => `${h.name} ${h.address}`).join(", ")}\n`,
);
try {
  // The same fleet, pointed at the test hosts and pinned to their host keys.
  const config = writeLabFleetFile(lab, example, "demo");
  // Asynchronous: this process also serves the hosts' apt proxy.
  const roost = async (...args: string[]) => {
    console.log(`$ roost ${args.join(" ")}`);
    const child = spawn(process.execPath, [path.join(repo, "bin/roost.js"), "-c", config, "--ssh-config", lab.sshConfig, ...args], {
      stdio: "inherit",
      cwd: repo,
    });
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    console.log();
    if (status !== 0) throw new Error(`roost ${args[0]} exited ${status}`);
  };
  await roost("deploy");
  console.log("== what runs where");
  for (const h of lab.hosts.values()) {
    const units = await h.succeed(
      "systemctl list-units --no-legend --plain --state=active 'site*' 'nightly*' 'copy*' 'last-copy*' 'backups*' 'roost-*' | cut -d' ' -f1 | tr '\\n' ' '",
    );
    console.log(`   ${h.name.padEnd(6)} ${h.address.padEnd(14)} ${units.trim()}`);
  }
  const page = await lab.host("web").succeed("curl -s http://127.0.0.1:8080/");
  console.log(`   web serves: ${page.trim()}\n`);
  console.log("== deploying again: nothing to change");
  await roost("deploy");
  await roost("generations", "web");
} finally {
  await lab.close();
  console.log("== test hosts stopped and removed");
}

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { buildHost } from "../../src/build/generation.ts";
import { FleetEvaluation } from "../../src/host/fleet.ts";
import { runScenario } from "../../src/testing/scenario.ts";
import type { TestHost } from "../../src/testing/test-host.ts";
import { faultFleet } from "./fault-fleet.ts";

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), "deploy-child.ts");
const confirmSeconds = 3;
const runs = 21;
/** Where the controller dies: while sending, before the switch, in the middle of it, before confirming. */
const phases = ["sending", "activating: packages", "activating: files", "activating: units", "confirming"];

/** Start a deploy in another process and kill it (or its whole process group: the connection too) at `phase`. */
async function deployAndKill(h: TestHost, sshConfig: string, message: string, phase: string, cutConnection: boolean): Promise<string> {
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", child, `root@${h.address}`, h.hostKey, sshConfig, message, String(confirmSeconds)],
    { detached: true, stdio: ["ignore", "pipe", "inherit"] },
  );
  let seen = "";
  const killed = new Promise<string>((resolve) => {
    proc.stdout!.on("data", (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(`phase ${phase}`)) {
        setTimeout(
          () => {
            try {
              process.kill(cutConnection ? -proc.pid! : proc.pid!, "SIGKILL");
            } catch {}
            resolve("killed");
          },
          Math.floor(Math.random() * 300),
        );
      }
    });
    proc.on("exit", () => resolve(seen.includes("result deployed") ? "finished" : "exited"));
  });
  const outcome = await killed;
  if (cutConnection) await sleep(100);
  return outcome;
}

/** Wait until no switch runs and none is pending: the host has settled on one generation. */
async function settle(h: TestHost): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const r = await h.ssh(
      "flock -w 30 /var/lib/roost/switch.lock true; if test -e /var/lib/roost/pending; then echo pending; else readlink /var/lib/roost/current; fi",
      { timeoutSeconds: 3 },
    );
    if (r.code === 0 && r.stdout.trim().startsWith("generations/")) return r.stdout.trim().slice("generations/".length);
    await sleep(300);
  }
  throw new Error(`${h.name} did not settle`);
}

/** Every file of the current generation is exactly as its manifest says; the other generation left nothing behind. */
async function assertConsistent(h: TestHost, current: string, ids: Record<string, string>): Promise<void> {
  await h.succeed(`cd / && awk -F'\\t' '{ print $2 "  " $1 }' /var/lib/roost/generations/${current}/files.tsv | sha256sum -c --quiet`);
  const message = Object.entries(ids).find(([, id]) => id === current)?.[0];
  assert.ok(message, `current generation ${current} is one of the two deployed`);
  const other = Object.keys(ids).find((m) => m !== message)!;
  await h.fail(`test -e /etc/fault/${other}`);
  assert.equal((await h.succeed("cat /etc/fault/common")).trim(), message);
  await h.waitUntilSucceeds(`curl -sf http://127.0.0.1:8080/ | grep -qx ${message}`, 15_000);
}

describe("fault injection", { timeout: 1_200_000 }, () => {
  it(`a controller killed at any phase (${runs} runs) leaves the host on the old or the new generation, and the next deploy succeeds`, async () => {
    await runScenario({
      fleet: faultFleet("red"),
      async test({ hosts, deploy, onLab, lab }) {
        const alpha = hosts.alpha!;
        const ids: Record<string, string> = {};
        for (const m of ["red", "blue"]) ids[m] = buildHost("alpha", new FleetEvaluation(onLab(faultFleet(m))).host("alpha")).id;
        await deploy({ fleet: faultFleet("red") });
        let target = "blue";
        const outcomes: string[] = [];
        for (let i = 0; i < runs; i++) {
          const phase = phases[i % phases.length]!;
          const cut = i % 2 === 1;
          const outcome = await deployAndKill(alpha, lab.sshConfig, target, phase, cut);
          const current = await settle(alpha);
          outcomes.push(`${phase}${cut ? " (connection cut)" : ""}: ${outcome}, host on ${current === ids[target] ? "new" : "old"}`);
          await assertConsistent(alpha, current, ids);
          const [next] = await deploy({ fleet: faultFleet(target), confirmTimeout: 30 });
          assert.notEqual(next!.status, "failed", next!.error);
          assert.equal(await settle(alpha), ids[target]);
          await assertConsistent(alpha, ids[target]!, ids);
          target = target === "blue" ? "red" : "blue";
        }
        console.log(outcomes.join("\n"));
      },
    });
  });
});

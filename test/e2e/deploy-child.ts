// A controller that tests kill: deploys one test host and prints each phase as it starts.
//   deploy-child.ts ADDRESS HOST_KEY SSH_CONFIG MESSAGE CONFIRM_SECONDS
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildHost } from "../../src/build/generation.ts";
import { deployHost } from "../../src/deploy/deploy-host.ts";
import { FleetEvaluation } from "../../src/host/fleet.ts";
import { faultFleet } from "./fault-fleet.ts";

const [address, hostKey, sshConfig, message, confirm] = process.argv.slice(2) as [string, string, string, string, string];
const fleet = faultFleet(message);
const host = { ...fleet.hosts.alpha!, address, hostKey };
const gen = buildHost("alpha", new FleetEvaluation(fleet).host("alpha"));
const stateDir = mkdtempSync(path.join(tmpdir(), "roost-child-"));
const r = await deployHost("alpha", host, gen, {
  ssh: { stateDir, configFile: sshConfig },
  confirmTimeout: Number(confirm),
  onPhase: (p) => console.log(`phase ${p}`),
});
console.log(`result ${r.status} ${r.error ?? ""}`);

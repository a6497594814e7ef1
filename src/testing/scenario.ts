import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildHosts } from "../build/fleet.ts";
import { deployFleet } from "../deploy/deploy-fleet.ts";
import type { HostResult } from "../deploy/deploy-host.ts";
import type { SshSettings } from "../deploy/ssh.ts";
import { FleetEvaluation, type Fleet } from "../host/fleet.ts";
import { Lab } from "./lab.ts";
import { fleetOnLab } from "./lab-fleet.ts";
import { ScenarioSecrets } from "./scenario-secrets.ts";
import type { TestHost } from "./test-host.ts";

export interface DeployCall {
  /** Deploy this fleet instead of the scenario's (same host names): how a test changes config. */
  readonly fleet?: Fleet;
  readonly hosts?: readonly string[];
  /** Resolve with the results even when a host fails (a test of failures). */
  readonly allowFailure?: boolean;
  readonly confirmTimeout?: number;
  readonly jobs?: number;
}

export interface ScenarioContext {
  /** The test hosts, by the fleet's host names. */
  readonly hosts: Readonly<Record<string, TestHost>>;
  readonly lab: Lab;
  /** SSH settings that reach the lab's hosts (for calling deploy functions directly). */
  readonly ssh: SshSettings;
  /** A fleet with the lab's addresses and host keys. */
  onLab(fleet: Fleet): Fleet;
  /**
   * The plaintext of every secret deployed so far, by name (given in the scenario or random), and
   * `set(name, value)` to rotate one before the next deploy.
   */
  readonly secrets: ScenarioSecrets;
  /** Build and deploy, as `roost deploy` does; throws when a host fails unless allowFailure. */
  deploy(call?: DeployCall): Promise<HostResult[]>;
}

export interface Scenario {
  readonly name?: string;
  readonly fleet: Fleet;
  /** Hosts to start (default: every host of the fleet). */
  readonly hosts?: readonly string[];
  /**
   * Values of secrets the fleet uses; every other one gets a random value. The scenario writes its
   * own secrets file, encrypted to the test hosts' keys, whatever the fleet's secrets settings say.
   */
  readonly secrets?: Readonly<Record<string, string>>;
  test(ctx: ScenarioContext): Promise<void>;
}

/** A NixOS-test-style scenario: hosts from a fleet, then a story of deploys and checks. */
export function scenario(s: Scenario): Scenario {
  return s;
}

/** Start the hosts, run the story, and tear everything down whatever happens. */
export async function runScenario(s: Scenario): Promise<void> {
  const lab = await Lab.start({ hosts: s.hosts ?? Object.keys(s.fleet.hosts) });
  const stateDir = mkdtempSync(path.join(tmpdir(), "roost-ssh-"));
  const ssh: SshSettings = { stateDir, configFile: lab.sshConfig };
  const onLab = (fleet: Fleet) => fleetOnLab(fleet, lab);
  const secrets = new ScenarioSecrets(lab.dir, lab.identity, s.secrets);
  const ctx: ScenarioContext = {
    hosts: Object.fromEntries(lab.hosts),
    lab,
    ssh,
    onLab,
    secrets,
    async deploy(call = {}) {
      const fleet = await secrets.attach(onLab(call.fleet ?? s.fleet));
      const names = call.hosts ?? [...lab.hosts.keys()];
      const selected = { ...fleet, hosts: Object.fromEntries(names.map((n) => [n, fleet.hosts[n]!])) };
      const results = await deployFleet(selected, () => buildHosts(new FleetEvaluation(fleet), names), {
        ssh,
        jobs: call.jobs ?? 5,
        confirmTimeout: call.confirmTimeout,
        progress: "quiet",
      });
      const failed = results.filter((r) => r.status === "failed");
      if (failed.length && !call.allowFailure) throw new Error(`deploy failed: ${failed.map((r) => `${r.host}: ${r.error}`).join("; ")}`);
      return results;
    },
  };
  try {
    await s.test(ctx);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
    await lab.close();
  }
}

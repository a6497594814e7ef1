import { buildHost, type HostGeneration } from "../build/generation.ts";
import { FleetEvaluation, defineFleet, host } from "./fleet.ts";
import type { HostDefinitions } from "./module.ts";

/** Build one host named "h" from plain definitions: the fixture for renderer tests. */
export function buildOne(config: HostDefinitions): HostGeneration {
  const fleet = new FleetEvaluation(defineFleet({ hosts: { h: host({ address: "root@h", config }) } }));
  return buildHost("h", fleet.host("h"));
}

export function fileText(gen: HostGeneration, path: string): string {
  const f = gen.files.get(path);
  if (!f) throw new Error(`${path} is not in the generation; it has ${[...gen.files.keys()].join(", ")}`);
  return f.content.toString("utf8");
}

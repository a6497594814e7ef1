// Evaluate and build a synthetic fleet of N hosts in this process; print time and peak RSS as JSON.
import { buildHosts } from "../src/build/fleet.ts";
import { FleetEvaluation } from "../src/host/fleet.ts";
import { syntheticFleet } from "./fleets/synthetic.ts";

const count = Number(process.argv[2] ?? "1");
const started = performance.now();
const builds = buildHosts(new FleetEvaluation(syntheticFleet(count)));
const ms = performance.now() - started;
const failed = builds.filter((b) => "error" in b);
if (failed.length) {
  console.error(failed[0]);
  process.exit(1);
}
const files = builds.reduce((n, b) => n + ("generation" in b ? b.generation.files.size : 0), 0);
console.log(JSON.stringify({ hosts: count, files, ms: Math.round(ms), maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));

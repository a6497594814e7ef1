// A synthetic fleet whose size comes from ROOST_BENCH_HOSTS: the fleet for `roost check` at scale.
import { syntheticFleet } from "./synthetic.ts";

export default syntheticFleet(Number(process.env.ROOST_BENCH_HOSTS ?? "1000"));

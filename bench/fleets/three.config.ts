// Three synthetic hosts: the fleet for the cold-start benchmark of the CLI.
import { syntheticFleet } from "./synthetic.ts";

export default syntheticFleet(3);

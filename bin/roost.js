#!/usr/bin/env node
// Roost is written in TypeScript and runs from source: tsx compiles it (and the fleet's
// roost.config.ts) on the fly, with an on-disk cache, so there is no build step to forget.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);

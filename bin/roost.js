#!/usr/bin/env node
// Roost's command line. It runs from dist/, a bundle of src/ that esbuild (re)builds when src/
// changes; source maps point every message and stack trace back at the TypeScript sources (read
// only when a location is shown: see src/core/source-map.ts).
import { ensureBundle } from "./bundle.js";

for (const stream of [process.stdout, process.stderr]) {
  // Output piped into `head` and the like: stop quietly when the reader goes away.
  stream.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const { main } = await import(await ensureBundle());
process.exitCode = await main(process.argv);

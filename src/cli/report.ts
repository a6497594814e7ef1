import { RoostError } from "../core/index.ts";
import { mapStack } from "../core/source-map.ts";

const useColour = () => process.stderr.isTTY && !process.env.NO_COLOR;
const red = (s: string) => (useColour() ? `\x1b[31m${s}\x1b[0m` : s);
const yellow = (s: string) => (useColour() ? `\x1b[33m${s}\x1b[0m` : s);

/** An error for a person: Roost's own errors as they are, anything else as one line (stack with --debug). */
export function formatError(e: unknown, debug: boolean): string {
  if (e instanceof RoostError) {
    const text = e.format().replace(/^error:/gm, red("error:"));
    return debug && e.cause instanceof Error ? `${text}\n${stackOf(e.cause)}` : debug ? `${text}\n${stackOf(e)}` : text;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  if (debug) return `${red("error:")} ${stackOf(err)}`;
  return `${red("error:")} ${err.message}\nhint: run with --debug for the stack trace`;
}

const stackOf = (e: Error) => mapStack(e.stack ?? String(e));

export function formatWarning(message: string): string {
  return `${yellow("warning:")} ${message}`;
}

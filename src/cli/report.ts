import { RoostError } from "../core/index.ts";

const useColour = () => process.stderr.isTTY && !process.env.NO_COLOR;
const red = (s: string) => (useColour() ? `\x1b[31m${s}\x1b[0m` : s);
const yellow = (s: string) => (useColour() ? `\x1b[33m${s}\x1b[0m` : s);

/** An error for a person: Roost's own errors as they are, anything else as one line (stack with --debug). */
export function formatError(e: unknown, debug: boolean): string {
  if (e instanceof RoostError) {
    const text = e.format().replace(/^error:/gm, red("error:"));
    return debug && e.cause instanceof Error ? `${text}\n${e.cause.stack}` : debug ? `${text}\n${e.stack}` : text;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  if (debug) return `${red("error:")} ${err.stack}`;
  return `${red("error:")} ${err.message}\nhint: run with --debug for the stack trace`;
}

export function formatWarning(message: string): string {
  return `${yellow("warning:")} ${message}`;
}

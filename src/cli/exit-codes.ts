/** Exit codes of every roost command. */
export const exitCodes = {
  ok: 0,
  /** The fleet does not evaluate or build, or a validator rejected what it renders. */
  failed: 1,
  /** The command line itself is wrong (unknown command, option or host). */
  usage: 2,
} as const;

export const exitCodesHelp = `Exit codes:
  0  success
  1  the fleet has errors (evaluation, types, assertions, validators)
  2  usage error (unknown command, option or host)`;

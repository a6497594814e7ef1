/** One thing a validator says about a generation. */
export interface Finding {
  /** error fails the check; note is shown, e.g. a binary that the host's packages will provide. */
  readonly level: "error" | "note";
  readonly validator: string;
  readonly message: string;
}

/** A validator that could not run (tool not installed, no permission): said, never hidden. */
export interface Skipped {
  readonly validator: string;
  readonly reason: string;
}

export interface ValidatorResult {
  readonly findings: readonly Finding[];
  readonly ran: readonly string[];
  readonly skipped: readonly Skipped[];
}

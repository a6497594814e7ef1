// msmtp's configuration syntax: one command per line, its argument after a space. An argument in
// double quotes keeps its spaces; inside them \ and " are escaped with \. A line break cannot be
// written at all, so it is refused.

export type MsmtpValue = string | number | boolean;

/** Why a value cannot be one msmtp argument, or null. */
export function msmtpValueProblem(value: string): string | null {
  if (/[\x00-\x1f\x7f]/.test(value)) return "it contains a line break or another control character, which msmtp cannot read back";
  return null;
}

function argument(value: MsmtpValue): string {
  if (typeof value === "boolean") return value ? "on" : "off";
  const s = String(value);
  const problem = msmtpValueProblem(s);
  if (problem) throw new Error(`msmtp value ${JSON.stringify(s)}: ${problem}`);
  return /^[A-Za-z0-9_@%+:,./=-]+$/.test(s) ? s : `"${s.replace(/[\\"]/g, "\\$&")}"`;
}

/** An msmtprc with one account (`default`): the commands in the order given, null values left out. */
export function renderMsmtprc(commands: ReadonlyArray<readonly [string, MsmtpValue | null]>): string {
  const lines = ["account default"];
  for (const [key, value] of commands) if (value !== null) lines.push(`${key} ${argument(value)}`);
  return `${lines.join("\n")}\n`;
}

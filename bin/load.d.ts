/** The bundle's modules by entry: index, testing/index, cli/main, services/<name>/index. */
export function roost(): Record<string, Record<string, unknown>>;
/** A private (0700) directory of this user's under the system's temporary directory; null when it is not safe to use. */
export function privateDir(name: string): string | null;

import type { CallSite } from "./location.ts";
import { showPath, type OptionPath } from "./path.ts";
import { showValue } from "./show-value.ts";

/**
 * Every error the module system raises is a RoostError: a headline, detail lines (values and the
 * places they were defined), and at most one hint. The CLI prints `format()` and no stack trace.
 */
export class RoostError extends Error {
  constructor(
    readonly headline: string,
    readonly details: readonly string[] = [],
    readonly hint?: string,
    cause?: unknown,
  ) {
    super([headline, ...details].join("\n"), cause === undefined ? undefined : { cause });
    this.name = "RoostError";
  }

  format(): string {
    const lines = [`error: ${this.headline}`, ...this.details.map((d) => `  ${d}`)];
    if (this.hint) lines.push(`hint: ${this.hint}`);
    return lines.join("\n");
  }
}

/** Several errors found in one pass (all failed assertions, every host that failed to build). */
export class RoostErrors extends RoostError {
  constructor(readonly errors: readonly RoostError[]) {
    super(
      `${errors.length} errors`,
      errors.map((e) => e.message),
    );
  }
  override format(): string {
    return this.errors.map((e) => e.format()).join("\n\n");
  }
}

/**
 * An error of another evaluation (another host) met while reading its values: `via` is the chain
 * of labels it was read through, nearest first, and `origin` the error as that host reports it.
 */
export class ReadThroughError extends RoostError {
  constructor(
    readonly via: readonly string[],
    readonly origin: RoostError,
    readonly readBy: string,
  ) {
    super(`via ${via.map((l) => `nodes.${l}`).join(" → ")}: ${origin.headline}`, [...origin.details, readBy], origin.hint, origin);
    this.name = "ReadThroughError";
  }

  /** The one line a report needs where the origin's own error is shown in full too. */
  get short(): string {
    return `error: ${this.headline}\n  ${this.readBy}; the error is shown under ${this.via[this.via.length - 1]}`;
  }
}

export interface ShownDefinition {
  readonly value: unknown;
  readonly site: CallSite;
  readonly priority?: number;
}

/** What messages show instead of a value that may be a secret. */
export const hiddenValue = "(value hidden)";

function definitionLines(path: OptionPath, defs: readonly ShownDefinition[], withPriority = false, sensitive = false): string[] {
  const values = defs.map((d) => (sensitive ? hiddenValue : showValue(d.value, 48)));
  const width = Math.max(...values.map((v) => v.length));
  return defs.map((d, i) => {
    const prio = withPriority && d.priority !== undefined ? ` (priority ${d.priority})` : "";
    return `${values[i]!.padEnd(width)}  defined in ${d.site.at(path)}${prio}`;
  });
}

export function typeMismatch(path: OptionPath, expected: string, def: ShownDefinition, reason?: string, sensitive = false): RoostError {
  return new RoostError(
    `${showPath(path)}: expected ${expected}${reason ? `, but ${reason}` : ""}`,
    definitionLines(path, [def], false, sensitive),
  );
}

export function conflict(path: OptionPath, typeName: string, defs: readonly ShownDefinition[], sensitive = false): RoostError {
  return new RoostError(
    `conflicting values for ${showPath(path)} (${typeName})`,
    definitionLines(path, defs, true, sensitive),
    "give one of them mkForce(…) or mkDefault(…), or make them equal",
  );
}

export function noSuchOption(path: OptionPath, site: CallSite, suggestions: readonly string[], verb: "defined" | "read"): RoostError {
  return new RoostError(
    `the option ${showPath(path)} does not exist`,
    [`${verb} in ${verb === "defined" ? site.at(path) : site}`],
    suggestions.length ? `did you mean ${suggestions.map((s) => showPath([...path.slice(0, -1), s])).join(" or ")}?` : undefined,
  );
}

export function notDefined(path: OptionPath, declaredIn: CallSite, pending: readonly CallSite[] = []): RoostError {
  return new RoostError(
    `${showPath(path)} is used but has no value`,
    [
      `declared in ${declaredIn}`,
      ...pending.map(
        (s) =>
          `read while the module at ${s} was still running; if that module defines it, write the read as a getter (get x() { return … }) so it runs only when needed`,
      ),
    ],
    "set it in the host's config, or give the option a default",
  );
}

export function readOnlyTwice(path: OptionPath, defs: readonly ShownDefinition[]): RoostError {
  return new RoostError(`${showPath(path)} is read-only but defined ${defs.length} times`, definitionLines(path, defs));
}

export function notAnAttributeSet(path: OptionPath, def: ShownDefinition): RoostError {
  return new RoostError(`${showPath(path)} is a group of options, so it must be defined as an object`, definitionLines(path, [def]));
}

export function cycle(chain: readonly string[], definedIn: CallSite): RoostError {
  return new RoostError(
    `infinite recursion: ${chain[0]} depends on itself`,
    [...chain.map((p, i) => `${i === 0 ? "  " : "→ "}${p}`), `the first definition is in ${definedIn}`],
    "one of these definitions reads the value it helps define: break the chain with a constant, or write the part that reads it as a getter (get systemd() { … }), which runs only when that option is merged",
  );
}

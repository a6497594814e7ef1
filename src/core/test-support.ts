import { Evaluation } from "./evaluate.ts";
import { RoostError } from "./errors.ts";
import { defineModule, type Module } from "./module.ts";
import { option } from "./option.ts";
import type { OptionType } from "./types/define.ts";

/** Evaluate modules and read one option: the smallest fixture for type and merge tests. */
export function mergeOf<V>(type: OptionType<V, any>, ...defs: unknown[]): V {
  const decl = defineModule({ options: { x: option({ type, description: "under test" }) } });
  const modules = defs.map((d) => defineModule({ config: { x: d } }));
  return new Evaluation({ modules: [decl, ...modules] }).value(["x"]) as V;
}

/** The formatted message of the RoostError that `fn` throws; fails when it throws none or another. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof RoostError) return e.format();
    throw e;
  }
  throw new Error("expected a RoostError, but nothing was thrown");
}

export function evaluate(...modules: Module<any, any>[]): Evaluation {
  return new Evaluation({ modules });
}

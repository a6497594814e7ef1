import type { Evaluation } from "./evaluate.ts";
import type { CallSite } from "./location.ts";
import { isOption } from "./option.ts";
import { priorities } from "./properties.ts";
import { showPath, type OptionPath } from "./path.ts";
import { mergeDefinitions } from "./merge.ts";
import { makeModule } from "./module.ts";
import { option } from "./option.ts";
import { CallSite as Site } from "./location.ts";
import { bool, str } from "./types/scalars.ts";
import { listOf } from "./types/containers.ts";
import { submodule } from "./types/submodule.ts";

const assertionType = submodule({
  options: {
    assertion: option({ type: bool, description: "Must hold for the configuration to be accepted." }),
    message: option({ type: str, description: "Printed when the assertion does not hold." }),
    options: option({
      type: listOf(listOf(str)),
      default: [],
      description:
        "Option paths (lists of segments) the assertion is about: a failure shows where each was defined, so the error points at the user's line, not at the module that checks it.",
      example: [["services", "nginx", "virtualHosts", "example.org", "locations", "/", "proxyPass"]],
    }),
  },
});

/** Declares `assertions` and `warnings`, as NixOS does; every top-level evaluation includes it. */
export const assertionsModule = makeModule(
  {
    name: "assertions",
    options: {
      assertions: option({
        type: listOf(assertionType),
        default: [],
        description: "Conditions the configuration must meet; all failures are reported together.",
        example: [{ assertion: false, message: "services.web.port must differ from services.api.port" }],
      }),
      warnings: option({
        type: listOf(str),
        default: [],
        description: "Messages printed by `roost check` and `roost build` without failing.",
      }),
    },
  },
  new Site(makeModule),
);

export interface AssertionReport {
  readonly failed: readonly {
    readonly message: string;
    readonly site: CallSite;
    /** Each option the assertion names, with the places that defined its value (none: its default). */
    readonly about: readonly { readonly path: string; readonly sites: readonly CallSite[] }[];
  }[];
  readonly warnings: readonly { readonly message: string; readonly site: CallSite }[];
}

/** Every failed assertion and every warning, with the place it was defined. */
export function checkAssertions(ev: Evaluation): AssertionReport {
  const failed: AssertionReport["failed"][number][] = [];
  for (const def of ev.definitionsOf(["assertions"])) {
    for (const item of def.value as unknown[]) {
      const merged = mergeDefinitions(ev.fullPath(["assertions"]), assertionType, [{ value: item, site: def.site }]);
      if (merged.defined && !merged.value.assertion)
        failed.push({
          message: merged.value.message,
          site: def.site.at(["assertions"]),
          about: merged.value.options.map((path) => ({ path: showPath(path), sites: definitionSites(ev, path) })),
        });
    }
  }
  const warnings = ev.definitionsOf(["warnings"]).flatMap((def) => (def.value as string[]).map((message) => ({ message, site: def.site })));
  return { failed, warnings };
}

/**
 * Where the value at `path` was written: the winning definitions of the declared option that holds
 * it (an entry of an attribute set of submodules is found inside its option's definitions), each
 * narrowed to the line of the path when the source shows it. Empty for a default or an unknown path.
 */
export function definitionSites(ev: Evaluation, path: OptionPath): CallSite[] {
  for (let n = path.length; n > 0; n--) {
    const declared = ev.declarations.lookup(path.slice(0, n));
    if (declared === undefined) continue;
    if (!isOption(declared)) return [];
    const rest = path.slice(n);
    const defs = ev.definitionsOf(path.slice(0, n)).filter((def) => def.priority !== priorities.optionDefault);
    const holding = defs.filter((def) => holds(def.value, rest));
    return (holding.length ? holding : defs).map((def) => def.site.at(ev.fullPath(path)));
  }
  return [];
}

function holds(value: unknown, rest: OptionPath): boolean {
  let v = value;
  for (const key of rest) {
    if (typeof v !== "object" || v === null || Array.isArray(v) || !Object.hasOwn(v, key)) return false;
    v = (v as Record<string, unknown>)[key];
  }
  return v !== undefined;
}

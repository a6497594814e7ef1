import type { Evaluation } from "./evaluate.ts";
import type { CallSite } from "./location.ts";
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
  readonly failed: readonly { readonly message: string; readonly site: CallSite }[];
  readonly warnings: readonly { readonly message: string; readonly site: CallSite }[];
}

/** Every failed assertion and every warning, with the place it was defined. */
export function checkAssertions(ev: Evaluation): AssertionReport {
  const failed: { message: string; site: CallSite }[] = [];
  for (const def of ev.definitionsOf(["assertions"])) {
    for (const item of def.value as unknown[]) {
      const merged = mergeDefinitions(ev.fullPath(["assertions"]), assertionType, [{ value: item, site: def.site }]);
      if (merged.defined && !merged.value.assertion) failed.push({ message: merged.value.message, site: def.site.at(["assertions"]) });
    }
  }
  const warnings = ev.definitionsOf(["warnings"]).flatMap((def) => (def.value as string[]).map((message) => ({ message, site: def.site })));
  return { failed, warnings };
}

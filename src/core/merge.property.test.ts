import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { RoostError } from "./errors.ts";
import { mkIf, mkOrder, mkOverride } from "./properties.ts";
import { mergeOf } from "./test-support.ts";
import * as t from "./types/index.ts";

/** The outcome of a merge: its value, or that it was refused (a conflict). */
function outcome(fn: () => unknown): string {
  try {
    return JSON.stringify(fn());
  } catch (e) {
    if (e instanceof RoostError) return "error";
    throw e;
  }
}

const prioritized = fc.record({ priority: fc.constantFrom(50, 100, 1000, 1200), value: fc.integer({ min: 0, max: 3 }) });
const shuffled = <T>(items: T[]) => fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length });

describe("merge laws", () => {
  it("definition order never changes a scalar's result", () => {
    fc.assert(
      fc.property(
        fc.array(prioritized, { minLength: 1, maxLength: 6 }).chain((defs) => fc.tuple(fc.constant(defs), shuffled(defs))),
        ([defs, perm]) => {
          const run = (ds: typeof defs) => outcome(() => mergeOf(t.int, ...ds.map((d) => mkOverride(d.priority, d.value))));
          assert.equal(run(perm), run(defs));
        },
      ),
    );
  });

  it("the strongest priority always wins", () => {
    fc.assert(
      fc.property(fc.array(prioritized, { minLength: 1, maxLength: 6 }), (defs) => {
        const best = Math.min(...defs.map((d) => d.priority));
        const winners = new Set(defs.filter((d) => d.priority === best).map((d) => d.value));
        const result = outcome(() => mergeOf(t.int, ...defs.map((d) => mkOverride(d.priority, d.value))));
        if (winners.size === 1) assert.equal(result, JSON.stringify([...winners][0]));
        else assert.equal(result, "error");
      }),
    );
  });

  it("mkIf(false) contributes nothing, wherever it stands", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer(), { maxLength: 3 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer(), { maxLength: 3 }),
        fc.nat(),
        (lists, ignored, at) => {
          const withIf = [...lists];
          withIf.splice(at % (lists.length + 1), 0, mkIf(false, ignored) as unknown as number[]);
          assert.deepEqual(mergeOf(t.listOf(t.int), ...withIf), mergeOf(t.listOf(t.int), ...lists));
        },
      ),
    );
  });

  it("lists keep definition order within an order and sort by order across", () => {
    const ordered = fc.record({ order: fc.constantFrom(500, 1000, 1500), items: fc.array(fc.integer(), { maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(ordered, { minLength: 1, maxLength: 6 }), (defs) => {
        const result = mergeOf(t.listOf(t.int), ...defs.map((d) => mkOrder(d.order, d.items)));
        const expected = [...defs].sort((a, b) => a.order - b.order).flatMap((d) => d.items);
        assert.deepEqual(result, expected);
      }),
    );
  });

  it("attribute sets merge the same whatever the definition order", () => {
    const def = fc.dictionary(fc.constantFrom("a", "b", "c", "d"), fc.integer({ min: 0, max: 1 }), { maxKeys: 3 });
    fc.assert(
      fc.property(
        fc.array(def, { minLength: 1, maxLength: 5 }).chain((defs) => fc.tuple(fc.constant(defs), shuffled(defs))),
        ([defs, perm]) => {
          assert.equal(
            outcome(() => mergeOf(t.attrsOf(t.int), ...perm)),
            outcome(() => mergeOf(t.attrsOf(t.int), ...defs)),
          );
        },
      ),
    );
  });
});

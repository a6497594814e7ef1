// PromQL checked where it is written: an expression that does not parse is refused with the option
// path, the file:line and the place of the error, before promtool (if installed) ever sees it.
import { parser } from "@prometheus-io/lezer-promql";
import { types as t } from "roost";

/** Where the expression stops being PromQL, or null when the whole of it parses. */
export function promqlProblem(expr: string): string | null {
  if (expr.trim() === "") return "it is empty";
  const tree = parser.parse(expr);
  let at = -1;
  tree.iterate({
    enter(node) {
      if (at >= 0) return false;
      if (node.type.isError) at = node.from;
      return undefined;
    },
  });
  if (at < 0) return null;
  const near = expr.slice(at, at + 20);
  return `it is not PromQL: ${at >= expr.length ? "it ends too early" : `the error is at character ${at + 1} (${JSON.stringify(near)})`}`;
}

/** A PromQL expression, parsed by Prometheus' own grammar (@prometheus-io/lezer-promql). */
export const promql = t.strSatisfying("PromQL expression", promqlProblem);

// Panel helpers shared by the dashboards: every query goes through promqlExpr, so an expression that
// is not PromQL fails when the dashboard is built, not when someone opens it.
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanel } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesPanel } from "@grafana/grafana-foundation-sdk/timeseries";
import { promqlProblem } from "roost/services/monitoring";

/** The uid of the metrics datasource Grafana is provisioned with (roost/services/grafana). */
export const metricsDatasource = { type: "prometheus", uid: "roost-metrics" };

export interface Query {
  readonly expr: string;
  readonly legend: string;
}

function promqlExpr(expr: string): string {
  const problem = promqlProblem(expr);
  if (problem !== null) throw new Error(`dashboard query ${JSON.stringify(expr)}: ${problem}`);
  return expr;
}

function targets(queries: readonly Query[]) {
  return queries.map((q, i) =>
    new DataqueryBuilder()
      .datasource(metricsDatasource)
      .expr(promqlExpr(q.expr))
      .legendFormat(q.legend)
      .refId(String.fromCharCode(65 + i)),
  );
}

interface Place {
  readonly x: number;
  readonly y: number;
  readonly w?: number;
  readonly h?: number;
}

export function timeseries(title: string, unit: string, queries: readonly Query[], at: Place) {
  const p = new TimeseriesPanel().title(title).unit(unit).datasource(metricsDatasource);
  for (const t of targets(queries)) p.withTarget(t);
  return p.gridPos({ x: at.x, y: at.y, w: at.w ?? 12, h: at.h ?? 8 });
}

export function stat(title: string, unit: string, queries: readonly Query[], at: Place) {
  const p = new StatPanel().title(title).unit(unit).datasource(metricsDatasource);
  for (const t of targets(queries)) p.withTarget(t);
  return p.gridPos({ x: at.x, y: at.y, w: at.w ?? 12, h: at.h ?? 6 });
}

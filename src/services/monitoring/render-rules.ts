// Alert rules as vmalert and Prometheus read them, and their promtool unit tests.
import { promDuration } from "./duration.ts";

export interface RuleTestValue {
  readonly interval: number;
  readonly inputSeries: readonly { readonly series: string; readonly values: string }[];
  readonly evalTime: number;
  readonly expectAlerts: readonly {
    readonly labels: Readonly<Record<string, string>>;
    readonly summary: string;
    readonly description: string;
  }[];
}

export interface AlertRuleValue {
  readonly enable: boolean;
  readonly expr: string;
  readonly for: number;
  readonly severity: string;
  readonly summary: string;
  readonly description: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly hostLevel: boolean;
  readonly tests: readonly RuleTestValue[];
}

export type AlertRuleGroups = Readonly<Record<string, Readonly<Record<string, AlertRuleValue>>>>;

/** The label that marks an alert about one host, which HostNotReporting of that host inhibits. */
export const hostLevelLabel = "scope";

function labelsOf(rule: AlertRuleValue): Record<string, string> {
  return { ...rule.labels, severity: rule.severity, ...(rule.hostLevel ? { [hostLevelLabel]: "host" } : {}) };
}

function annotationsOf(rule: { summary: string; description: string }): Record<string, string> {
  return { summary: rule.summary, ...(rule.description === "" ? {} : { description: rule.description }) };
}

function enabled(groups: AlertRuleGroups): [string, [string, AlertRuleValue][]][] {
  return Object.keys(groups)
    .sort()
    .map((g): [string, [string, AlertRuleValue][]] => [
      g,
      Object.keys(groups[g]!)
        .sort()
        .map((a): [string, AlertRuleValue] => [a, groups[g]![a]!])
        .filter(([, r]) => r.enable),
    ])
    .filter(([, rules]) => rules.length > 0);
}

/** The rule file: one group per monitoring.alertRules group, alerts by name. */
export function ruleFile(groups: AlertRuleGroups, evaluationInterval: number) {
  return {
    groups: enabled(groups).map(([name, rules]) => ({
      name,
      interval: promDuration(evaluationInterval),
      rules: rules.map(([alert, r]) => ({
        alert,
        expr: r.expr,
        ...(r.for > 0 ? { for: promDuration(r.for) } : {}),
        labels: labelsOf(r),
        annotations: annotationsOf(r),
      })),
    })),
  };
}

/** promtool's test file for `ruleFileName` (beside it): every test of every enabled rule. */
export function ruleTestFile(groups: AlertRuleGroups, ruleFileName: string, evaluationInterval: number) {
  return {
    rule_files: [ruleFileName],
    evaluation_interval: promDuration(evaluationInterval),
    tests: enabled(groups).flatMap(([, rules]) =>
      rules.flatMap(([alert, r]) =>
        r.tests.map((t) => ({
          interval: promDuration(t.interval),
          input_series: t.inputSeries.map((s) => ({ series: s.series, values: s.values })),
          alert_rule_test: [
            {
              eval_time: promDuration(t.evalTime),
              alertname: alert,
              exp_alerts: t.expectAlerts.map((e) => ({ exp_labels: { ...e.labels, ...labelsOf(r) }, exp_annotations: annotationsOf(e) })),
            },
          ],
        })),
      ),
    ),
  };
}

/** Enabled rules without a test, as "group.alert". */
export function untestedRules(groups: AlertRuleGroups): string[] {
  return enabled(groups).flatMap(([g, rules]) => rules.filter(([, r]) => r.tests.length === 0).map(([a]) => `${g}.${a}`));
}

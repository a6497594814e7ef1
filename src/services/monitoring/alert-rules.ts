// The alert rule registry: `monitoring.alertRules.<group>.<alert>`, a typed rule with the promtool
// unit test that proves it. The monitoring module adds the fleet's own rules; any module may add
// more (a backup module its "backup too old"), and the central host evaluates them all.
import { defineModule, option, types as t } from "roost";
import { promql } from "./promql.ts";

/** A Prometheus label name that is not reserved. */
export const labelName = t.strMatching(/^[A-Za-z_][A-Za-z0-9_]*$/, "Prometheus label name (letters, digits and _)");
/** An alert name, as it appears in alertname="…". */
export const alertName = t.strMatching(/^[A-Za-z_][A-Za-z0-9_]*$/, "alert name (letters, digits and _)");
/** A rule group name, as it appears in vmalert and Prometheus. */
export const groupName = t.strMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "rule group name (letters, digits, _ . -)");

export const severities = ["critical", "warning", "info"] as const;
export type Severity = (typeof severities)[number];

const inputSeries = t.submodule({
  options: {
    series: option({ type: t.str, description: 'A series in PromQL notation, e.g. up{job="node",host="a"}.' }),
    values: option({ type: t.str, description: 'Its samples in promtool\'s expanding notation, e.g. "1x10 0x20" or "_x5 1+1x10".' }),
  },
});

const expectedAlert = t.submodule({
  options: {
    labels: option({
      type: t.attrsOf(t.str, labelName),
      default: {},
      description: "Labels the alert must have beside alertname and severity (those are added).",
      example: { host: "a" },
    }),
    summary: option({ type: t.str, description: "The summary, as its template renders for this alert." }),
    description: option({ type: t.str, description: "The description, as its template renders for this alert." }),
  },
});

const ruleTest = t.submodule({
  options: {
    interval: option({ type: t.duration, default: 60, description: "The step between two samples of inputSeries." }),
    inputSeries: option({ type: t.listOf(inputSeries), default: [], description: "The series the test starts from." }),
    evalTime: option({ type: t.duration, description: "When, after the first sample, the alert is checked." }),
    expectAlerts: option({
      type: t.listOf(expectedAlert),
      default: [],
      description: "Alerts of this rule that must be firing at evalTime; empty: none may fire.",
    }),
  },
});

const alertRule = t.submodule({
  options: {
    enable: option({ type: t.bool, default: true, description: "Evaluate this rule; false leaves it out." }),
    expr: option({ type: promql, description: "The PromQL expression; every series it returns is an alert.", example: "up == 0" }),
    for: option({ type: t.duration, default: 0, description: "How long the expression must hold before the alert fires." }),
    severity: option({
      type: t.enumOf([...severities]),
      default: "warning",
      description: "critical pages at once and is repeated; warning and info are mailed in the routes' own rhythm.",
    }),
    summary: option({
      type: t.str,
      description: "One line for the mail's subject; a Go template over $labels and $value.",
      example: "{{ $labels.host }} is down",
    }),
    description: option({
      type: t.str,
      default: "",
      description: "More text for the mail; a Go template over $labels and $value.",
    }),
    labels: option({
      type: t.attrsOf(t.str, labelName),
      default: {},
      description: "More labels of the alert (severity is set from severity).",
    }),
    hostLevel: option({
      type: t.bool,
      default: true,
      description: "An alert about one host (with a host label), silenced while that host is not reporting.",
    }),
    tests: option({
      type: t.listOf(ruleTest),
      default: [],
      description: "promtool unit tests of this rule, run by roost check when promtool is installed; every rule needs one.",
    }),
  },
});

export const alertRulesOption = option({
  type: t.attrsOf(t.attrsOf(alertRule, alertName), groupName),
  default: {},
  description:
    "Alert rules of this host, by group and alert name; the fleet's monitoring server evaluates the rules of every host (read through nodes).",
  example: {
    backup: {
      BackupTooOld: {
        expr: "time() - roost_backup_last_success_timestamp_seconds > 2 * 86400",
        for: "10m",
        severity: "warning",
        summary: "{{ $labels.host }}: no backup for {{ $value | humanizeDuration }}",
        tests: [],
      },
    },
  },
});

export const alertRules = defineModule({
  name: "alert-rules",
  options: { monitoring: { alertRules: alertRulesOption } },
});

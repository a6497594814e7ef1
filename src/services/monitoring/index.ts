// Metrics and alerts for the whole fleet: a central host (monitoring.server) and an agent on every
// host (monitoring.agent), wired through nodes.
export { alertRules, alertName, groupName, labelName, severities, type Severity } from "./alert-rules.ts";

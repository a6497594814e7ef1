// Roost's test-host library: real Debian hosts on this machine, and scenarios that read like NixOS tests.
export { Lab, type LabOptions } from "./lab.ts";
export { TestHost } from "./test-host.ts";
export { fleetOnLab } from "./lab-fleet.ts";
export { runScenario, scenario, type DeployCall, type Scenario, type ScenarioContext } from "./scenario.ts";
export { buildHostFrom, type BuiltHost } from "./build-host.ts";
export { startSmtpSink, subjectOf, type SinkMessage, type SmtpSink } from "./smtp-sink.ts";
export { startAcmeServer, type AcmeServer } from "./acme-server.ts";

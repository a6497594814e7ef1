// Roost's public API: what a roost.config.ts and its modules import.
export { defineFleet, host, type Fleet, type Host, type HostSpec } from "./host/fleet.ts";
export { defineModule, type HostArgs, type HostConfig, type HostModule, type Node, type Nodes } from "./host/module.ts";
export type { HostOptions } from "./host/options.ts";
export {
  enableOption,
  mkAfter,
  mkBefore,
  mkDefault,
  mkForce,
  mkIf,
  mkMerge,
  mkOrder,
  mkOverride,
  option,
  packageOption,
  secret,
  types,
  type ConfigOf,
  type DefinitionsOf,
  type OptionTree,
  type SecretRef,
} from "./core/index.ts";
export { definitionsFromFile } from "./core/index.ts";
export { formats, shellArgs, shellQuote, type Format } from "./host/formats/index.ts";
export {
  alloyValues,
  readAlloy,
  unresolvedReferences,
  type AlloyBody,
  type AlloyReading,
  type AlloyValue,
} from "./host/formats/index.ts";
export { execLine } from "./host/systemd/unit-file.ts";
export { addressOrNetwork } from "./host/firewall/options.ts";
export { findListener, type Listener } from "./host/ports/listeners.ts";
export { servicePort, servicePortOptions, type ServicePort } from "./host/ports/service-port.ts";
export { releaseOptions, type ReleaseArchive } from "./host/files/release.ts";

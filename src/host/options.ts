import type { assertionsModule } from "../core/index.ts";
import type { deploymentOptions } from "./deployment/options.ts";
import type { directoriesOptions } from "./directories/options.ts";
import type { filesOptions } from "./files/options.ts";
import type { firewallOptions } from "./firewall/options.ts";
import type { healthOptions } from "./health/options.ts";
import type { networkingOptions } from "./networking/options.ts";
import type { packagesOptions } from "./packages/options.ts";
import type { portsOptions } from "./ports/options.ts";
import type { secretsOptions } from "./secrets/options.ts";
import type { sysctlOptions } from "./sysctl/options.ts";
import type { systemdOptions } from "./systemd/options.ts";
import type { usersOptions } from "./users/options.ts";
import type { validatorsOptions } from "./validators/options.ts";

/** Every option a host has: the primitives that services compile down to. */
export type HostOptions = (typeof assertionsModule)["options"] &
  typeof filesOptions &
  typeof usersOptions &
  typeof directoriesOptions &
  typeof packagesOptions &
  typeof networkingOptions &
  typeof systemdOptions &
  typeof sysctlOptions &
  typeof firewallOptions &
  typeof portsOptions &
  typeof healthOptions &
  typeof deploymentOptions &
  typeof secretsOptions &
  typeof validatorsOptions;

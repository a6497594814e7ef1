import { assertionsModule, type Module } from "../core/index.ts";
import { deploymentModule } from "./deployment/options.ts";
import { directoriesModule } from "./directories/options.ts";
import { filesModule } from "./files/options.ts";
import { firewallModule } from "./firewall/options.ts";
import { healthModule } from "./health/options.ts";
import { networkingModule } from "./networking/options.ts";
import { packagesModule } from "./packages/options.ts";
import { portsModule } from "./ports/options.ts";
import { secretsModule } from "./secrets/options.ts";
import { sysctlModule } from "./sysctl/options.ts";
import { systemdModule } from "./systemd/options.ts";
import { usersModule } from "./users/options.ts";
import { validatorsModule } from "./validators/options.ts";

/** The modules every host is evaluated with. */
export const primitiveModules: readonly Module<any, any>[] = [
  assertionsModule,
  networkingModule,
  filesModule,
  usersModule,
  directoriesModule,
  packagesModule,
  systemdModule,
  sysctlModule,
  firewallModule,
  portsModule,
  healthModule,
  deploymentModule,
  secretsModule,
  validatorsModule,
];

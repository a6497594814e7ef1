import type { HostConfig } from "../module.ts";

export type HealthCheckEntry =
  | { readonly type: "unit"; readonly unit: string; readonly timeout: number }
  | { readonly type: "tcp"; readonly host: string; readonly port: number; readonly timeout: number }
  | {
      readonly type: "http";
      readonly url: string;
      readonly expectStatus: number;
      readonly expectBody: string | null;
      readonly timeout: number;
    }
  | {
      readonly type: "command";
      readonly command: readonly string[];
      readonly expectExitCode: number;
      readonly user: string | null;
      readonly timeout: number;
    };

export function renderHealthChecks(config: HostConfig): Record<string, HealthCheckEntry> {
  return Object.fromEntries(
    Object.entries(config.healthChecks).map(([name, c]): [string, HealthCheckEntry] => {
      switch (c.type) {
        case "unit":
          return [name, { type: "unit", unit: c.unit!, timeout: c.timeout }];
        case "tcp":
          return [name, { type: "tcp", host: c.host, port: c.port!, timeout: c.timeout }];
        case "http":
          return [name, { type: "http", url: c.url!, expectStatus: c.expectStatus, expectBody: c.expectBody, timeout: c.timeout }];
        case "command":
          return [name, { type: "command", command: c.command!, expectExitCode: c.expectExitCode, user: c.user, timeout: c.timeout }];
      }
    }),
  );
}

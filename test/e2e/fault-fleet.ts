import { testFleet } from "./test-fleet.ts";

/** Two generations that differ in a file's content, in which files exist, and in a unit. */
export function faultFleet(message: string) {
  return testFleet(["alpha"], () => ({
    greeter: { message },
    files: { [`/etc/fault/${message}`]: { text: `${message}\n` }, "/etc/fault/common": { text: `${message}\n` } },
  }));
}

import { readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../package-root.ts";

/** The bash scripts that run on hosts, read once from src/deploy/host/. */
function load(name: string): string {
  return readFileSync(path.join(packageRoot, "src/deploy/host", name), "utf8");
}

export const hostScripts = {
  activate: load("activate.sh"),
  status: load("status.sh"),
  receive: load("receive.sh"),
  confirm: load("confirm.sh"),
  generations: load("generations.sh"),
  objects: load("objects.sh"),
} as const;

import { readFileSync } from "node:fs";

/** The bash scripts that run on hosts, read once from src/deploy/host/. */
function load(name: string): string {
  return readFileSync(new URL(`host/${name}`, import.meta.url), "utf8");
}

export const hostScripts = {
  activate: load("activate.sh"),
  status: load("status.sh"),
  receive: load("receive.sh"),
  confirm: load("confirm.sh"),
  generations: load("generations.sh"),
  objects: load("objects.sh"),
} as const;

import { types as t } from "../../core/index.ts";

/** What a raw unit key may be set to: a word, a number, a yes/no, or a list (one line each). */
export const unitScalar = t.oneOf([t.str, t.int, t.bool] as const);
export const unitValue = t.oneOf([t.str, t.int, t.bool, t.listOf(t.oneOf([t.str, t.int, t.bool] as const))] as const);
export type UnitValue = string | number | boolean | readonly (string | number | boolean)[];

/** A unit name without its suffix: "nginx", "restic-backup@daily". */
export const unitName = t.strMatching(/^[A-Za-z0-9:_.\\@-]+$/, "unit name (letters, digits, : _ . \\ @ -)");

/** A full unit name with its type, as in After= or WantedBy=: "network-online.target". */
export const unitRef = t.strMatching(
  /^[A-Za-z0-9:_.\\@-]+\.(service|socket|target|timer|path|mount|automount|slice|scope|device|swap)$/,
  'unit name with its type, e.g. "network-online.target"',
);

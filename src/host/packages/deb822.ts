/**
 * One deb822 paragraph (apt's .sources format): the encoder for apt's sources. A field is one line:
 * a value with a line break would start a new field (e.g. "Trusted: yes"), so it is refused.
 */
export function renderDeb822(fields: readonly (readonly [key: string, value: string])[]): string {
  return fields.map(([key, value]) => `${key}: ${deb822Value(key, value)}\n`).join("");
}

function deb822Value(key: string, value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(key)) throw new Error(`deb822 field name ${JSON.stringify(key)} is not a name`);
  if (!/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value))
    throw new Error(`deb822 field ${key} must be one line of printable ASCII without spaces at either end`);
  return value;
}

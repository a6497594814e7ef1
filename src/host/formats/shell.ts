import { RoostError } from "../../core/errors.ts";

/** Characters that mean nothing to a POSIX shell anywhere in a word (`=` would make a first word an assignment). */
const plainWord = /^[A-Za-z0-9_@%+:,./-]+$/;

/**
 * One shell word that a POSIX shell reads back as exactly `value`: as it is when it holds only
 * plain characters, otherwise in single quotes, each `'` written `'\''`.
 */
export function shellQuote(value: string | number): string {
  const s = String(value);
  if (s.includes("\0")) throw new RoostError(`a shell word cannot hold a NUL character: ${JSON.stringify(s)}`);
  if (/\p{Cs}/u.test(s)) throw new RoostError(`a shell word cannot hold a lone UTF-16 surrogate: ${JSON.stringify(s)}`);
  return plainWord.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** A command line of words, each quoted with `shellQuote`. */
export function shellArgs(words: readonly (string | number)[]): string {
  return words.map(shellQuote).join(" ");
}

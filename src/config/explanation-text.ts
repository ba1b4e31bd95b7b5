import { z } from 'zod';

/**
 * Texts that explain something to a reader (a purpose, a legal basis, a reason) are shown in the
 * disclosure log and the privacy declaration, so a string of spaces or dots must not pass for one. The
 * rule is deliberately small: a minimum length counted without the surrounding spaces, and a minimum
 * number of words, a word being two or more letters in a row in any script ("GDPR", "opplæringslova").
 */
const word = /\p{L}{2,}/gu;

function wordCount(text: string): number {
  return text.match(word)?.length ?? 0;
}

/**
 * An explanation: `message` (which should state the rule) for any text shorter than `minLength` once
 * trimmed or with fewer than `minWords` words; `missing` for a missing key or a value that is not a
 * string (zod's own message when it returns undefined). The length is also a `minLength` in the
 * generated JSON Schema.
 */
export function explanationText(
  minLength: number,
  minWords: number,
  message: string,
  missing?: (issue: { input?: unknown }) => string | undefined,
) {
  return z
    .string(missing === undefined ? undefined : { error: missing })
    .min(minLength, { message, abort: true })
    .refine((text) => text.trim().length >= minLength && wordCount(text) >= minWords, message);
}

/**
 * XML 1.0 §2.2 `Char` excludes C0 controls other than tab/LF/CR, U+FFFE, U+FFFF and unpaired surrogates.
 * They are replaced with U+FFFD rather than stripped: the damage stays visible to whoever reads the feed,
 * the code-point length (and so every XSD maxLength check) is unchanged, and it is what a UTF-8 encoder
 * does to a lone surrogate anyway. Astral-plane characters are paired surrogates and pass through.
 */
// eslint-disable-next-line no-control-regex -- matching the characters XML 1.0 forbids is the point
const forbiddenChar = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/u;
const forbiddenChars = new RegExp(forbiddenChar.source, 'gu');

/**
 * Tab, LF and CR are written as character references: XML 1.0 §2.11 turns a literal CR into LF and
 * §3.3.3 turns all three into spaces inside attribute values, so only a reference survives parsing.
 */
// eslint-disable-next-line no-control-regex -- matching the characters XML 1.0 forbids is the point
const needsEscape = /[&<>"'\u0000-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/u;
const escapable = new RegExp(needsEscape.source, 'gu');

const replacementChar = '\uFFFD';

function escapeChar(char: string): string {
  switch (char) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '"':
      return '&quot;';
    case "'":
      return '&apos;';
    case '\t':
      return '&#9;';
    case '\n':
      return '&#10;';
    case '\r':
      return '&#13;';
    default:
      return replacementChar;
  }
}

/** Text or attribute content, escaped for XML 1.0; characters XML cannot carry become U+FFFD. */
export function escapeXml(value: string): string {
  return needsEscape.test(value) ? value.replace(escapable, escapeChar) : value;
}

/** The same replacement `escapeXml` makes, without escaping: what a reader gets back. */
export function replaceForbiddenXmlChars(value: string): string {
  return forbiddenChar.test(value) ? value.replace(forbiddenChars, replacementChar) : value;
}

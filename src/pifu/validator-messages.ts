/**
 * A validator's message as the hub may show it (docs/requirements.md#c4): libxml2 quotes offending values
 * ("The value '…'", "'…' is not a valid value") and prints the source line under a parser error, and
 * either may be a name or a national number. Only the first line is kept; the quoted values are
 * blanked; any other quoted text that could be a value (spaces, digits, @) is blanked too.
 */
export function sanitizeValidatorMessage(message: string): string {
  const firstLine = message.split('\n')[0] ?? '';
  return firstLine
    .replace(/([Tt]he value )'[^']*'/g, "$1'…'")
    .replace(/'[^']*'( is not a valid value)/g, "'…'$1")
    .replace(/'([^'{}]*)'/g, (quoted, inner: string) =>
      /[\s@]|\d{3,}/.test(inner) || inner.length > 64 ? "'…'" : quoted,
    );
}

import { isHubError } from '../../src/errors/index.js';

/** A plain table for a terminal: columns padded to their widest cell, numbers right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly (string | number)[]) =>
    row
      .map((cell, column) =>
        typeof cell === 'number'
          ? String(cell).padStart(widths[column]!)
          : String(cell).padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** Label/value lines with the labels padded to one width. */
export function formatPairs(pairs: readonly (readonly [string, string])[], indent = ''): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`.trimEnd()).join('\n');
}

/**
 * One line for an operator: `PIFU_CODE: what went wrong, where, what to do`. An error the hub did not
 * raise on purpose is a PIFU_INTERNAL line: its first line only, cut short, with any run of eleven
 * digits (a possible national identity number) blanked, since its text was not written for an operator.
 */
export function describeError(error: unknown): string {
  if (isHubError(error)) return error.message.split('\n')[0]!;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const firstLine = (text.split('\n')[0] ?? '').replace(/\d{11}/g, '***********').slice(0, 300);
  return `PIFU_INTERNAL: ${firstLine} (unexpected; run again with LOG_LEVEL=debug and report it)`;
}

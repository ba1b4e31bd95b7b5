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

/** One line for an operator: what went wrong, where, and (in the HubError message) what to do. */
export function describeError(error: unknown): string {
  if (isHubError(error)) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message} (set LOG_LEVEL=debug for details)`;
  return String(error);
}

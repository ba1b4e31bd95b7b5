import { InvalidArgumentError } from 'commander';
import { listLimit } from '../../src/operations/input-schemas.js';

/**
 * Option parsers shared by the commands. Bounds are checked here for a clear message at parse time and
 * again by the operation (which the API calls too).
 */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function wholeNumber(bounds: { min: number; max: number }) {
  return (value: string): number => {
    const parsed = /^\d{1,15}$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isInteger(parsed) || parsed < bounds.min || parsed > bounds.max) {
      throw new InvalidArgumentError(`expected a whole number from ${bounds.min} to ${bounds.max}`);
    }
    return parsed;
  };
}

/**
 * A FILE argument: a path, not empty. An empty one resolves to the working directory, and was then
 * refused as a directory, which the operator did not name.
 */
export const fileArgument = (value: string): string => {
  if (value.trim() === '') throw new InvalidArgumentError('an empty path; name a PIFU-IMS XML file');
  return value;
};

/** `FILE...`: each a FILE argument (fileArgument). */
export const fileArguments = (value: string, previous: string[] = []): string[] => [
  ...previous,
  fileArgument(value),
];

export const limitOption = [
  '--limit <n>',
  `at most this many (1–${listLimit.max})`,
  wholeNumber({ min: 1, max: listLimit.max }),
  listLimit.default,
] as const;

export const instant = (value: string): Date => {
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    throw new InvalidArgumentError('expected a date and time, e.g. 2026-03-28T22:00:00Z');
  }
  return parsed;
};

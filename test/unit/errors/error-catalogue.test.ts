import { readFileSync } from 'node:fs';
import { errorCodes, HubError } from '../../../src/errors/index.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...doc.matchAll(/^\|\s*`(PIFU_[A-Z_]+)`\s*\|\s*(yes|no)\s*\|/gm)].map((match) => [
    match[1]!,
    match[2] === 'yes',
  ]),
);

describe('error catalogue', () => {
  it('documents every code in docs/errors.md with the same retryability, and nothing more', () => {
    const catalogue = new Map(Object.entries(errorCodes).map(([code, entry]) => [code, entry.retryable]));
    expect(new Map([...documented].sort())).toEqual(new Map([...catalogue].sort()));
  });

  it('puts the code at the start of the message and keeps the cause', () => {
    const cause = new Error('socket hang up');
    const error = new HubError('PIFU_TRANSPORT_FAILED', 'file drop for websak: cannot write', { cause });
    expect(error.message).toBe('PIFU_TRANSPORT_FAILED: file drop for websak: cannot write');
    expect(error.code).toBe('PIFU_TRANSPORT_FAILED');
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
  });

  it('lets the raiser override retryability where it knows better', () => {
    expect(new HubError('PIFU_TRANSPORT_FAILED', 'HTTP 400', { retryable: false }).retryable).toBe(false);
    expect(new HubError('PIFU_RECIPIENT_UNKNOWN', 'x').retryable).toBe(false);
  });
});

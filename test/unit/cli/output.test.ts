import { describeError, formatTable } from '../../../jobs/cli/output.js';
import { HubError } from '../../../src/errors/index.js';

describe('CLI output', () => {
  it('pads columns and right-aligns numbers', () => {
    expect(
      formatTable(
        ['recipient', 'persons'],
        [
          ['websak', 7],
          ['itslearning', 1200],
        ],
      ),
    ).toBe(
      ['recipient    persons', '-----------  -------', 'websak             7', 'itslearning     1200'].join(
        '\n',
      ),
    );
  });

  it('describes a HubError by its message alone, and anything else as one PIFU_INTERNAL line', () => {
    expect(describeError(new HubError('PIFU_RUN_UNKNOWN', 'run x does not exist'))).toBe(
      'PIFU_RUN_UNKNOWN: run x does not exist',
    );
    expect(describeError(new TypeError('boom'))).toBe(
      'PIFU_INTERNAL: TypeError: boom (unexpected; run again with LOG_LEVEL=debug and report it)',
    );
  });

  it('never repeats eleven digits or a second line of an unexpected error', () => {
    const described = describeError(new Error('row for 08908200064 failed\n  at somewhere'));
    expect(described).toBe(
      'PIFU_INTERNAL: Error: row for *********** failed (unexpected; run again with LOG_LEVEL=debug and report it)',
    );
  });
});

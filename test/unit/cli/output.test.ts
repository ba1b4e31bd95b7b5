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

  it('describes a HubError by its message alone, and anything else with a hint', () => {
    expect(describeError(new HubError('PIFU_RUN_UNKNOWN', 'run x does not exist'))).toBe(
      'PIFU_RUN_UNKNOWN: run x does not exist',
    );
    expect(describeError(new TypeError('boom'))).toBe('TypeError: boom (set LOG_LEVEL=debug for details)');
  });
});

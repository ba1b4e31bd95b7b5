import { Writable } from 'node:stream';
import { chooseLogFormat, createLogger } from '../../../src/log/index.js';

/** A logger of `format` writing into an array of lines. */
function capture(format: 'json' | 'pretty') {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'info', format, destination });
  return { logger, text: () => chunks.join('') };
}

describe('log lines on stderr', () => {
  it('are pretty only for a person at a terminal: a TTY, not CI, no --json', () => {
    expect(chooseLogFormat({ stderrIsTTY: true, ci: undefined, json: false })).toBe('pretty');
    expect(chooseLogFormat({ stderrIsTTY: true, ci: 'false', json: false })).toBe('pretty');
    expect(chooseLogFormat({ stderrIsTTY: false, ci: undefined, json: false })).toBe('json');
    expect(chooseLogFormat({ stderrIsTTY: true, ci: 'true', json: false })).toBe('json');
    expect(chooseLogFormat({ stderrIsTTY: true, ci: '1', json: false })).toBe('json');
    expect(chooseLogFormat({ stderrIsTTY: true, ci: undefined, json: true })).toBe('json');
  });

  it('pretty: one readable line per entry, not JSON', () => {
    const { logger, text } = capture('pretty');
    logger.warn({ recipientId: 'lms' }, 'profile names schools the source does not have');
    const lines = text().trim().split('\n');
    expect(lines[0]).toMatch(/WARN.*: profile names schools the source does not have$/);
    expect(text()).toContain('recipientId: "lms"');
    expect(() => JSON.parse(lines[0]!)).toThrow();
  });

  it.each(['json', 'pretty'] as const)('%s: redaction applies before the line is written', (format) => {
    const { logger, text } = capture(format);
    const nin = '01010112345';
    const secret = 'tok-never-in-a-log';
    logger.info(
      { nin, person: { nin }, transport: { bearerToken: secret }, url: 'postgres://u:pw@db/x' },
      'x',
    );
    expect(text()).toContain('[redacted]');
    expect(text()).not.toContain(nin);
    expect(text()).not.toContain(secret);
    expect(text()).not.toContain('pw@db');
  });
});

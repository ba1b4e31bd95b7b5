import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvironment, secretVariables } from '../../../src/config/index.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const secret = 's'.repeat(40);

describe('readEnvironment: secrets from files, and the notification channels', () => {
  const dir = scratchDir('pifu-env-');
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };

  it('reads every secret variable from NAME_FILE, trimmed, and never names what the file holds', () => {
    const env = readEnvironment({
      DATABASE_URL_FILE: file('db', 'postgres://hub:pw-in-file@db/hub\n'),
      REDIS_URL_FILE: file('redis', 'redis://:redis-pw@cache:6379\n'),
    });
    expect(env.hubDatabase).toEqual({ kind: 'postgres', url: 'postgres://hub:pw-in-file@db/hub' });
    expect(env.redisUrl).toBe('redis://:redis-pw@cache:6379');
    expect(secretVariables).toEqual(expect.arrayContaining(['DATABASE_URL', 'PIFU_HUB_NOTIFY_SMTP_URL']));
    const refusal = (): unknown =>
      readEnvironment({
        DATABASE_URL: 'postgres://a@b/c',
        DATABASE_URL_FILE: file('both', 'postgres://x@y/z'),
        SOURCE_DATABASE_URL_FILE: join(dir, 'missing'),
        REDIS_URL_FILE: file('empty', '\n'),
        PIFU_HUB_NOTIFY_SMTP_URL_FILE: file('bad-smtp', 'ftp://user:hunter2@mail'),
      });
    expect(refusal).toThrow(/DATABASE_URL_FILE: set either DATABASE_URL or DATABASE_URL_FILE, not both/);
    expect(refusal).toThrow(/SOURCE_DATABASE_URL_FILE: cannot read .*missing \(ENOENT\)/);
    expect(refusal).toThrow(/REDIS_URL_FILE: .* is empty/);
    expect(refusal).toThrow(/PIFU_HUB_NOTIFY_SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(refusal).not.toThrow(/hunter2/);
  });

  it('has no channel by default, and reports a recipient not delivered to for 26 hours', () => {
    expect(readEnvironment({}).notifications).toEqual({ staleHours: 26 });
  });

  it('turns a channel on with its URL, and then needs the rest of its settings', () => {
    const env = readEnvironment({
      PIFU_HUB_NOTIFY_WEBHOOK_URL: 'https://alerts.example/pifu',
      PIFU_HUB_NOTIFY_WEBHOOK_SECRET_FILE: file('hmac', `${secret}\n`),
      PIFU_HUB_NOTIFY_SMTP_URL: 'smtp://hub:pw@mail.example:587',
      PIFU_HUB_NOTIFY_MAIL_FROM: 'pifu-hub@example.org',
      PIFU_HUB_NOTIFY_MAIL_TO: 'drift@example.org, vakt@example.org',
      PIFU_HUB_NOTIFY_STALE_HOURS: '12',
    });
    expect(env.notifications).toEqual({
      webhook: { url: 'https://alerts.example/pifu', secret },
      mail: {
        smtpUrl: 'smtp://hub:pw@mail.example:587',
        from: 'pifu-hub@example.org',
        to: ['drift@example.org', 'vakt@example.org'],
      },
      staleHours: 12,
    });
    expect(() => readEnvironment({ PIFU_HUB_NOTIFY_WEBHOOK_URL: 'https://alerts.example/pifu' })).toThrow(
      'PIFU_HUB_NOTIFY_WEBHOOK_SECRET: required with PIFU_HUB_NOTIFY_WEBHOOK_URL',
    );
    expect(() =>
      readEnvironment({
        PIFU_HUB_NOTIFY_WEBHOOK_URL: 'ftp://alerts.example',
        PIFU_HUB_NOTIFY_WEBHOOK_SECRET: 'short',
      }),
    ).toThrow(/WEBHOOK_URL: must be an http:\/\/ or https:\/\/ URL.*WEBHOOK_SECRET: at least 32 characters/);
    expect(() => readEnvironment({ PIFU_HUB_NOTIFY_SMTP_URL: 'smtp://mail.example' })).toThrow(
      /MAIL_FROM: required with PIFU_HUB_NOTIFY_SMTP_URL; PIFU_HUB_NOTIFY_MAIL_TO: required/,
    );
    expect(() =>
      readEnvironment({
        PIFU_HUB_NOTIFY_SMTP_URL: 'smtp://mail.example',
        PIFU_HUB_NOTIFY_MAIL_FROM: 'hub@example.org',
        PIFU_HUB_NOTIFY_MAIL_TO: 'not-an-address',
      }),
    ).toThrow(/PIFU_HUB_NOTIFY_MAIL_TO.0: comma-separated e-mail addresses/);
  });
});

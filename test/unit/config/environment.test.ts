import { readEnvironment } from '../../../src/config/index.js';

describe('readEnvironment', () => {
  it('defaults to embedded PGlite in .pifu-hub and no Redis URL', () => {
    const env = readEnvironment({}, '/srv/hub');
    expect(env.hubDatabase).toEqual({ kind: 'pglite', dataDir: '/srv/hub/.pifu-hub/pglite' });
    expect(env.redisUrl).toBeUndefined();
    expect(env.spoolDir).toBe('/srv/hub/.pifu-hub/spool');
    expect(env.recipientsDir).toBe('/srv/hub/fixtures/recipients');
    expect(env.sourceName).toBe('pifu-hub');
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('uses PostgreSQL and Redis when their URLs are set', () => {
    const env = readEnvironment(
      {
        DATABASE_URL: 'postgres://hub@db/hub',
        REDIS_URL: 'redis://cache:6379',
        PIFU_HUB_DATA_DIR: '/var/lib/hub',
      },
      '/srv',
    );
    expect(env.hubDatabase).toEqual({ kind: 'postgres', url: 'postgres://hub@db/hub' });
    expect(env.redisUrl).toBe('redis://cache:6379');
    expect(env.spoolDir).toBe('/var/lib/hub/spool');
  });

  it('reads the drop root and the secrets directory as absolute paths; unset, neither confines', () => {
    expect(readEnvironment({}, '/srv/hub')).toMatchObject({ dropRoot: undefined, secretsDir: undefined });
    expect(
      readEnvironment({ PIFU_HUB_DROP_ROOT: 'drop', PIFU_HUB_SECRETS_DIR: '/run/secrets' }, '/srv/hub'),
    ).toMatchObject({ dropRoot: '/srv/hub/drop', secretsDir: '/run/secrets' });
  });

  it('refuses / as the drop root or secrets directory: it would confine nothing', () => {
    expect(() => readEnvironment({ PIFU_HUB_DROP_ROOT: '/', PIFU_HUB_SECRETS_DIR: '//' })).toThrow(
      'PIFU_CONFIG_INVALID: environment: PIFU_HUB_DROP_ROOT: a directory other than / itself; PIFU_HUB_SECRETS_DIR: a directory other than / itself',
    );
  });

  it('reports every bad variable in one PIFU_CONFIG_INVALID error', () => {
    expect(() =>
      readEnvironment({ DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', PIFU_HUB_SOURCE_NAME: 'x'.repeat(33) }),
    ).toThrow(/PIFU_CONFIG_INVALID: environment: .*DATABASE_URL.*PIFU_HUB_SOURCE_NAME.*LOG_LEVEL/);
  });

  it('reads the source guard limits, defaulting to 10 % overall, 25 % per school and 10 objects', () => {
    expect(readEnvironment({}, '/srv').sourceDropLimits).toEqual({
      maxDropPercent: 10,
      maxSchoolDropPercent: 25,
      minDropCount: 10,
    });
    expect(
      readEnvironment({
        PIFU_HUB_SOURCE_MAX_DROP_PERCENT: '2.5',
        PIFU_HUB_SOURCE_MAX_SCHOOL_DROP_PERCENT: '100',
        PIFU_HUB_SOURCE_MIN_DROP: '0',
      }).sourceDropLimits,
    ).toEqual({ maxDropPercent: 2.5, maxSchoolDropPercent: 100, minDropCount: 0 });
    expect(() =>
      readEnvironment({
        PIFU_HUB_SOURCE_MAX_DROP_PERCENT: 'ten',
        PIFU_HUB_SOURCE_MAX_SCHOOL_DROP_PERCENT: '101',
        PIFU_HUB_SOURCE_MIN_DROP: '1.5',
      }),
    ).toThrow(
      /PIFU_CONFIG_INVALID: environment: PIFU_HUB_SOURCE_MAX_DROP_PERCENT.*PIFU_HUB_SOURCE_MAX_SCHOOL_DROP_PERCENT.*PIFU_HUB_SOURCE_MIN_DROP/,
    );
  });
});

describe('PIFU_HUB_IMPORT_LENIENT: the lenient modes of this source, where --lenient names none', () => {
  it('is strict unset, and reads mode names, all and none as --lenient does', () => {
    expect(readEnvironment({}, '/srv').importLenient).toEqual([]);
    expect(
      readEnvironment({ PIFU_HUB_IMPORT_LENIENT: ' duplicates,invalid-nin,,' }, '/srv').importLenient,
    ).toEqual(['invalid-nin', 'duplicates']);
    expect(readEnvironment({ PIFU_HUB_IMPORT_LENIENT: 'all' }, '/srv').importLenient).toEqual([
      'invalid-nin',
      'dangling-references',
      'legacy-subrole',
      'unreadable-objects',
      'duplicates',
      'unknown-objects',
      'foreign-sources',
      'group-type-codes',
    ]);
    expect(readEnvironment({ PIFU_HUB_IMPORT_LENIENT: 'none' }, '/srv').importLenient).toEqual([]);
  });

  it('refuses an unknown mode in one PIFU_CONFIG_INVALID line naming the variable', () => {
    expect(() => readEnvironment({ PIFU_HUB_IMPORT_LENIENT: 'invalid-nin,sloppy' }, '/srv')).toThrow(
      /^PIFU_CONFIG_INVALID: environment: PIFU_HUB_IMPORT_LENIENT: invalid-nin, .* all \(comma-separated\), or none alone$/,
    );
  });

  it('refuses none with another name: none,all would otherwise silently be all', () => {
    for (const value of ['none,all', 'all,none', 'none,invalid-nin']) {
      expect(() => readEnvironment({ PIFU_HUB_IMPORT_LENIENT: value }, '/srv')).toThrow(
        /^PIFU_CONFIG_INVALID: environment: PIFU_HUB_IMPORT_LENIENT: .*or none alone$/,
      );
    }
    expect(readEnvironment({ PIFU_HUB_IMPORT_LENIENT: 'none,none' }, '/srv').importLenient).toEqual([]);
  });
});

describe('scope clock and retention settings', () => {
  it('default to the auto clock and 2 days grace, 7 days of feed files, 5 years of disclosure rows', () => {
    const env = readEnvironment({}, '/srv');
    expect(env.scopeClock).toBe('auto');
    expect(env.retention).toEqual({ runGraceDays: 2, feedDays: 7, disclosureYears: 5 });
  });

  it('reads each from its variable and refuses values out of bounds, naming every one', () => {
    expect(
      readEnvironment({
        PIFU_HUB_SCOPE_CLOCK: 'wall',
        PIFU_HUB_RETENTION_RUN_GRACE_DAYS: '0',
        PIFU_HUB_RETENTION_FEED_DAYS: '30',
        PIFU_HUB_RETENTION_DISCLOSURE_YEARS: '10',
      }),
    ).toMatchObject({
      scopeClock: 'wall',
      retention: { runGraceDays: 0, feedDays: 30, disclosureYears: 10 },
    });
    expect(() =>
      readEnvironment({
        PIFU_HUB_SCOPE_CLOCK: 'sundial',
        PIFU_HUB_RETENTION_FEED_DAYS: '1.5',
        PIFU_HUB_RETENTION_DISCLOSURE_YEARS: '0',
      }),
    ).toThrow(
      /PIFU_CONFIG_INVALID: environment: PIFU_HUB_SCOPE_CLOCK.*PIFU_HUB_RETENTION_FEED_DAYS.*PIFU_HUB_RETENTION_DISCLOSURE_YEARS/,
    );
  });
});

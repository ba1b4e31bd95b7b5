import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPifuFileReader } from '../../../../connectors/sources/pifu-file/index.js';
import { defaultInputLimits } from '../../../../src/pifu/index.js';
import type { LenientMode, RosterFile, RosterFileReader } from '../../../../src/ports/index.js';
import { scratchDir } from '../../../helpers/scratch-dir.js';
import { createTestDatabase, type TestDatabase } from '../../../helpers/test-database.js';
import { exportText } from './pifu-records.js';

export interface ProblemFile {
  readonly database: TestDatabase;
  readonly reader: RosterFileReader;
  /** The export file, `records` one a line after the fixed head (the first on line 4). */
  readonly file: string;
  /** Reads the file as `import` does, tolerating `lenient`, hands the read to `check`, then closes it. */
  read<T>(lenient: readonly LenientMode[], check: (read: RosterFile) => Promise<T>): Promise<T>;
}

/**
 * What the import problem tests share: a migrated hub database of the test file's own, a PIFU file reader
 * on it, and `records` written as one export of `datasource` in a scratch directory; made before the
 * file's tests and the database dropped after them. Its fields are there once the tests run.
 */
export function problemFile(prefix: string, datasource: string, records: readonly string[]): ProblemFile {
  let database: TestDatabase | undefined;
  let reader: RosterFileReader | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = scratchDir(prefix);
    database = await createTestDatabase({ migrated: true });
    reader = createPifuFileReader({ db: database.db, limits: defaultInputLimits, sourceName: 'pifu-hub' });
    writeFileSync(join(dir, 'export.xml'), exportText(datasource, records));
  });
  afterAll(async () => database?.destroy());
  const made = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('problemFile: used before its beforeAll ran');
    return value;
  };
  return {
    get database() {
      return made(database);
    },
    get reader() {
      return made(reader);
    },
    get file() {
      return join(made(dir), 'export.xml');
    },
    read: async (lenient, check) => {
      const read = await made(reader).read(join(made(dir), 'export.xml'), { lenient, scratchDir: made(dir) });
      try {
        return await check(read);
      } finally {
        await read.close();
      }
    },
  };
}

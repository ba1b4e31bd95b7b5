import { createHash, randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/** The records store tables a snapshot reads (special categories and the change log are never read). */
const sourceTables = [
  'school_owner',
  'school',
  'school_term',
  'roster_group',
  'person',
  'person_identifier',
  'person_email',
  'person_phone',
  'person_address',
  'guardian_relation',
  'staff_employment',
  'pupil_enrolment',
  'membership',
] as const;

export interface FloorFigures {
  /** COPY of every source table to a sink that drops the bytes. */
  readonly copy_s: number;
  readonly copy_mb: number;
  /** Writing `bytes` to a file with its sha-256, the way a feed is written, then fsync. */
  readonly write_sha_s: number;
  readonly floor_s: number;
}

/**
 * What this machine cannot beat for a night's fulls: reading the source once as fast as PostgreSQL can
 * hand it over, and writing the same number of bytes the feeds took with their sha-256. Measured in the
 * same run as the figures it is compared with, so both see the same load.
 */
export async function measureFloor(pool: pg.Pool, bytes: number, dir: string): Promise<FloorFigures> {
  let copied = 0;
  let started = performance.now();
  const client = await pool.connect();
  try {
    for (const table of sourceTables) {
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          copied += chunk.length;
          done();
        },
      });
      await pipeline(client.query(copyTo(`COPY records.${table} TO STDOUT`)), sink);
    }
  } finally {
    client.release();
  }
  const copyS = (performance.now() - started) / 1000;

  const path = join(dir, 'floor.bin');
  const block = randomBytes(1 << 20);
  started = performance.now();
  const file = await open(path, 'w', 0o600);
  try {
    const hash = createHash('sha256');
    for (let left = bytes; left > 0; left -= block.length) {
      const chunk = left >= block.length ? block : block.subarray(0, left);
      hash.update(chunk);
      await file.write(chunk);
    }
    hash.digest('hex');
    await file.sync();
  } finally {
    await file.close();
  }
  const writeS = (performance.now() - started) / 1000;
  await rm(path, { force: true });
  return {
    copy_s: round(copyS),
    copy_mb: round(copied / 1e6),
    write_sha_s: round(writeS),
    floor_s: round(copyS + writeS),
  };
}

const round = (value: number): number => Number(value.toFixed(3));

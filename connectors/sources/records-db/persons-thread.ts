import type pg from 'pg';
import type { Person } from '../../../src/model/index.js';
import type { PersonsThread } from '../../../src/ports/source-connector.js';
import { copyPersonBatches } from './copy-persons.js';

/*
 * The persons of a snapshot read by COPY in another thread (RosterSnapshot.personsThread): the thread
 * connects with the hub pool's options and imports the snapshot's exported snapshot, as every COPY
 * stream does (copyBatches), so it reads exactly what `persons()` reads. The snapshot's own checks stay
 * with it: closing or aborting it ends the thread (the spool writer terminates it).
 */

interface Input {
  readonly connection: pg.ClientConfig;
  readonly snapshotId: string;
}

/** This module and its input, or undefined when the connection options cannot cross to a thread. */
export function personsThread(connection: pg.ClientConfig, snapshotId: string): PersonsThread | undefined {
  const input: Input = { connection, snapshotId };
  try {
    return { module: import.meta.url, input: structuredClone(input) };
  } catch {
    return undefined;
  }
}

export function readPersonBatches(input: unknown): AsyncIterable<Person[]> {
  const { connection, snapshotId } = input as Input;
  return copyPersonBatches({ connection, snapshotId, ensureOpen: () => undefined, clients: new Set() });
}

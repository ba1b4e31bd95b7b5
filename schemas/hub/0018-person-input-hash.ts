import type { Kysely } from 'kysely';

/**
 * A delivered person's input hash (issue 14): a digest of everything the person's projection for the
 * recipient was made from — the whole record as the run spool encodes it, the roles they are in view
 * in, which of their guardian links survive, the profile and the pseudonym secret. A delta finding the
 * same input hash reuses the held content hash instead of decoding, projecting and hashing the person
 * again. A hash, like the content hash beside it: never a value. Null (rows written before, or by a
 * feed that had none to give) means "project again".
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('hub').alterTable('delivered_object').addColumn('input_hash', 'text').execute();
}

import { sql, type Kysely } from 'kysely';

/**
 * Profiles (docs/requirements.md#d4, #r5). A written feed records the profile it was written through and the
 * legal basis it was sent under, so a disclosure answer can name both even after the recipient's config has
 * changed. Pseudonym secrets the hub generated itself live here, so every worker on every machine uses the
 * same.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const hub = db.schema.withSchema('hub');
  await hub
    .alterTable('feed')
    .addColumn('legal_basis', 'text')
    .addColumn('purpose', 'text')
    .addColumn('profile', 'jsonb')
    .addColumn('widenings', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('override_reason', 'text')
    .addColumn('relays_to', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();
  await hub
    .createTable('pseudonym_secret')
    .addColumn('recipient_id', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

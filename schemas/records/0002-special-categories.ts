import { sql, type Kysely } from 'kysely';

/**
 * Special-category data a real school-administrative system holds (docs/requirements.md#r1). The hub never
 * reads these tables; they exist so tests can prove that none of it reaches a roster or a feed.
 * Kept apart from the roster tables so a connector's column list can never pick one up by accident.
 */
// Kysely<any>: a migration must keep compiling whatever later migrations do to the schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('records.health_note')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('person_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('recorded_on', 'date', (col) => col.notNull())
    .addColumn('note', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('records.special_needs_decision')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('person_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('decision_kind', 'text', (col) => col.notNull())
    .addColumn('decided_on', 'date', (col) => col.notNull())
    .addColumn('summary', 'text', (col) => col.notNull())
    .addCheckConstraint(
      'special_needs_decision_kind_known',
      sql`decision_kind in ('iop','special_education','adaptation')`,
    )
    .execute();

  await db.schema
    .createTable('records.conduct_mark')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('person_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('term_id', 'text', (col) => col.notNull().references('records.school_term.id'))
    .addColumn('mark_kind', 'text', (col) => col.notNull())
    .addColumn('mark', 'text', (col) => col.notNull())
    .addColumn('remark', 'text')
    .addCheckConstraint('conduct_mark_kind_known', sql`mark_kind in ('orden','atferd')`)
    .addCheckConstraint('conduct_mark_known', sql`mark in ('G','Nokså god','Lite god')`)
    .execute();

  await db.schema
    .createTable('records.norwegian_tuition_decision')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('person_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('decided_on', 'date', (col) => col.notNull())
    .addColumn('hours_per_week', 'smallint', (col) => col.notNull())
    .addColumn('justification', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('records.family_note')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('person_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('note', 'text', (col) => col.notNull())
    .addColumn('household_income_nok', 'integer')
    .addColumn('reduced_fee', 'boolean', (col) => col.notNull().defaultTo(false))
    .execute();

  for (const table of [
    'health_note',
    'special_needs_decision',
    'conduct_mark',
    'norwegian_tuition_decision',
    'family_note',
  ]) {
    await db.schema.createIndex(`${table}_person_idx`).on(`records.${table}`).column('person_id').execute();
  }
}

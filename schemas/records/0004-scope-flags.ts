import { sql, type Kysely } from 'kysely';

/**
 * What recipients' scopes are cut by: a pupil's right to school transport (skoleskyss), a guardian's
 * consent to a parent account on the learning platform (docs/requirements.md#r8), and the trinn of a group
 * bound to one level (1–10, Vg1–Vg3 as 11–13). Existing rows get `false` and no level: nobody is in a
 * transport or parent scope until the school-administrative system says so.
 */
// Kysely<any>: a migration must keep compiling whatever later migrations do to the schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('records.pupil_enrolment')
    .addColumn('school_transport_right', 'boolean', (col) => col.notNull().defaultTo(false))
    .execute();

  await db.schema
    .alterTable('records.guardian_relation')
    .addColumn('parent_access_consent', 'boolean', (col) => col.notNull().defaultTo(false))
    .execute();

  await db.schema.alterTable('records.roster_group').addColumn('grade', 'smallint').execute();
  await db.schema
    .alterTable('records.roster_group')
    .addCheckConstraint('roster_group_grade_range', sql`grade between 1 and 13`)
    .execute();
}

import { sql, type Kysely } from 'kysely';

/**
 * The roster part of the reference records store: what a Norwegian school-administrative system holds
 * about the owner, its schools, groups, persons and memberships. Closed vocabularies are CHECK
 * constraints so a bad row fails at write time, not in a feed.
 *
 * Owner and schools are also rows of `records.roster_group` with the same uuid, because PIFU treats
 * them as groups (types skoleeier and skole) that other groups and memberships point at.
 */
// Kysely<any>: a migration must keep compiling whatever later migrations do to the schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createSchema('records').ifNotExists().execute();

  await db.schema
    .createTable('records.school_owner')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('organization_number', 'char(9)', (col) => col.notNull().unique())
    .addColumn('municipality_number', 'char(4)')
    .addColumn('county_number', 'char(2)', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('records.school')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('owner_id', 'uuid', (col) => col.notNull().references('records.school_owner.id'))
    .addColumn('organization_number', 'char(9)', (col) => col.notNull().unique())
    .addColumn('nsr_id', 'text', (col) => col.notNull().unique())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('school_types', sql`text[]`, (col) => col.notNull())
    .addColumn('visit_street', 'text')
    .addColumn('visit_postal_code', 'char(4)')
    .addColumn('visit_locality', 'text')
    .addCheckConstraint(
      'school_types_known',
      sql`school_types <@ array['barneskole','ungdomsskole','videregående','barnehage','sfo']::text[]
          and cardinality(school_types) > 0`,
    )
    .execute();

  await db.schema
    .createTable('records.school_term')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('school_year', 'text', (col) => col.notNull())
    .addColumn('begins', 'date', (col) => col.notNull())
    .addColumn('ends', 'date', (col) => col.notNull())
    .addCheckConstraint(
      'school_term_id_form',
      sql`id ~ '^[HV][0-9]{4}$' and school_year ~ '^[0-9]{4}/[0-9]{4}$'`,
    )
    .addCheckConstraint('school_term_order', sql`begins < ends`)
    .execute();

  await db.schema
    .createTable('records.roster_group')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('group_type', 'text', (col) => col.notNull())
    .addColumn('school_id', 'uuid', (col) => col.references('records.school.id'))
    .addColumn('parent_id', 'uuid', (col) => col.notNull().references('records.roster_group.id'))
    .addColumn('short_name', 'text', (col) => col.notNull())
    .addColumn('long_name', 'text')
    .addColumn('begins', 'date')
    .addColumn('ends', 'date')
    .addColumn('admin_period', 'text')
    .addColumn('grep_code', 'text')
    .addCheckConstraint(
      'roster_group_type_known',
      sql`group_type in ('skoleeier','skole','basisgruppe','undervisningsgruppe','kontaktlærergruppe','trinn',
        'utdanningsprogram','programområde','fag','foresattegruppe','språkopplæring','sammensattgruppe','elevråd',
        'fau','skoleutvalg','skolemiljøutvalg','sfo','eksamensgruppe')`,
    )
    .addCheckConstraint('roster_group_short_name_length', sql`char_length(short_name) between 1 and 60`)
    .addCheckConstraint('roster_group_long_name_length', sql`char_length(long_name) <= 256`)
    .addCheckConstraint(
      'roster_group_admin_period_form',
      sql`admin_period ~ '^[VH]?[0-9]{4}(/[VH]?[0-9]{4})?$'`,
    )
    .addCheckConstraint(
      'roster_group_school_shape',
      sql`(group_type = 'skoleeier' and school_id is null and parent_id = id)
        or (group_type = 'skole' and school_id = id)
        or (group_type not in ('skoleeier','skole') and school_id is not null and parent_id = school_id)`,
    )
    .execute();
  await db.schema
    .createIndex('roster_group_school_idx')
    .on('records.roster_group')
    .column('school_id')
    .execute();

  await db.schema
    .createTable('records.person')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('given_name', 'text', (col) => col.notNull())
    .addColumn('middle_name', 'text')
    .addColumn('family_name', 'text', (col) => col.notNull())
    .addColumn('birth_date', 'date')
    .addColumn('gender', 'text', (col) => col.notNull().defaultTo('unknown'))
    .addColumn('national_identity_number', 'char(11)', (col) => col.unique())
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('active'))
    .addColumn('preferred_language', 'text')
    .addColumn('native_tongue', 'text')
    .addColumn('address_protection', 'text', (col) => col.notNull().defaultTo('none'))
    .addCheckConstraint('person_gender_known', sql`gender in ('unknown','female','male')`)
    .addCheckConstraint('person_status_known', sql`status in ('active','inactive')`)
    .addCheckConstraint(
      'person_address_protection_known',
      sql`address_protection in ('none','confidential','strictly_confidential')`,
    )
    .addCheckConstraint('person_nin_digits', sql`national_identity_number ~ '^[0-9]{11}$'`)
    .addCheckConstraint('person_language_iso639_1', sql`preferred_language ~ '^[a-z]{2}$'`)
    .execute();

  await db.schema
    .createTable('records.person_identifier')
    .addColumn('person_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('identifier_type', 'text', (col) => col.notNull())
    .addColumn('value', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('person_identifier_pk', ['person_id', 'identifier_type', 'value'])
    .addCheckConstraint(
      'person_identifier_type_known',
      sql`identifier_type in ('studentID','workforceID','username','feideID','microsoftUPN','personLIN',
        'personFIN','sisID')`,
    )
    .execute();
  await db.schema
    .createIndex('person_identifier_value_idx')
    .on('records.person_identifier')
    .columns(['identifier_type', 'value'])
    .unique()
    .execute();

  await db.schema
    .createTable('records.person_email')
    .addColumn('person_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('email_type', 'text', (col) => col.notNull())
    .addColumn('address', 'text', (col) => col.notNull())
    .addColumn('priority', 'smallint', (col) => col.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('person_email_pk', ['person_id', 'email_type', 'address'])
    .addCheckConstraint('person_email_type_known', sql`email_type in ('private','work')`)
    .addCheckConstraint(
      'person_email_form',
      sql`address ~ '^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$'`,
    )
    .addCheckConstraint('person_email_priority_range', sql`priority >= 0`)
    .execute();

  await db.schema
    .createTable('records.person_phone')
    .addColumn('person_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('phone_type', 'text', (col) => col.notNull())
    .addColumn('number', 'text', (col) => col.notNull())
    .addColumn('priority', 'smallint', (col) => col.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('person_phone_pk', ['person_id', 'phone_type', 'number'])
    .addCheckConstraint(
      'person_phone_type_known',
      sql`phone_type in ('private','mobile','work','work_mobile')`,
    )
    .addCheckConstraint('person_phone_international', sql`number ~ '^\\+[0-9]+$'`)
    .addCheckConstraint('person_phone_priority_range', sql`priority >= 0`)
    .execute();

  await db.schema
    .createTable('records.person_address')
    .addColumn('person_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('address_type', 'text', (col) => col.notNull())
    .addColumn('street1', 'text', (col) => col.notNull())
    .addColumn('street2', 'text')
    .addColumn('street3', 'text')
    .addColumn('postal_code', 'text')
    .addColumn('locality', 'text')
    .addColumn('country', 'char(2)', (col) => col.notNull().defaultTo('NO'))
    .addPrimaryKeyConstraint('person_address_pk', ['person_id', 'address_type'])
    .addCheckConstraint('person_address_type_known', sql`address_type in ('registered','postal')`)
    .addCheckConstraint('person_address_country_form', sql`country ~ '^[A-Z]{2}$'`)
    .execute();

  await db.schema
    .createTable('records.guardian_relation')
    .addColumn('pupil_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('guardian_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('relation', 'text', (col) => col.notNull())
    .addColumn('has_parental_responsibility', 'boolean', (col) => col.notNull())
    .addPrimaryKeyConstraint('guardian_relation_pk', ['pupil_id', 'guardian_id'])
    .addCheckConstraint('guardian_relation_known', sql`relation in ('parent','foster_parent','other')`)
    .addCheckConstraint('guardian_relation_not_self', sql`pupil_id <> guardian_id`)
    .execute();
  await db.schema
    .createIndex('guardian_relation_guardian_idx')
    .on('records.guardian_relation')
    .column('guardian_id')
    .execute();

  await db.schema
    .createTable('records.staff_employment')
    .addColumn('person_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('school_id', 'uuid', (col) => col.notNull().references('records.school.id'))
    .addColumn('position', 'text', (col) => col.notNull())
    .addColumn('begins', 'date', (col) => col.notNull())
    .addColumn('ends', 'date')
    .addPrimaryKeyConstraint('staff_employment_pk', ['person_id', 'school_id'])
    .addCheckConstraint(
      'staff_employment_position_known',
      sql`position in ('teacher','management','administrator','assistant','other')`,
    )
    .execute();

  await db.schema
    .createTable('records.pupil_enrolment')
    .addColumn('person_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('school_id', 'uuid', (col) => col.notNull().references('records.school.id'))
    .addColumn('grade', 'smallint', (col) => col.notNull())
    .addColumn('begins', 'date', (col) => col.notNull())
    .addColumn('ends', 'date')
    .addPrimaryKeyConstraint('pupil_enrolment_pk', ['person_id', 'school_id'])
    .addCheckConstraint('pupil_enrolment_grade_range', sql`grade between 1 and 13`)
    .execute();

  await db.schema
    .createTable('records.membership')
    .addColumn('group_id', 'uuid', (col) => col.notNull().references('records.roster_group.id'))
    .addColumn('person_id', 'uuid', (col) => col.notNull().references('records.person.id'))
    .addColumn('roletype', 'char(2)', (col) => col.notNull())
    .addColumn('subrole', 'text')
    .addColumn('is_active', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('is_primary', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('begins', 'date')
    .addColumn('ends', 'date')
    .addColumn('admin_period', 'text')
    .addPrimaryKeyConstraint('membership_pk', ['group_id', 'person_id', 'roletype'])
    .addCheckConstraint(
      'membership_roletype_known',
      sql`roletype in ('01','02','03','04','05','06','07','08')`,
    )
    // The pairs of PIFU spec 2.4 row 4.3.4.3; pupils' VIGO status codes apply in fag/programområde only.
    .addCheckConstraint(
      'membership_subrole_allowed',
      sql`subrole is null
        or (roletype = '01' and subrole in ('E','A','F','M','N','U','P','R','V','O','S','D','I','L','K'))
        or (roletype = '02' and subrole in ('faglærer','lærerstudent','vikar'))
        or (roletype = '04' and subrole in ('rådgiver','kontormedarbeider','skolehelsetjeneste','skolebibliotekar',
          'vaktmester','renholdsarbeider','foresattrepresentant','sosiallærer','sensor','pptansatt'))
        or (roletype = '05' and subrole in ('rektor','inspektør'))
        or (roletype = '07' and subrole = 'iktansvarlig')`,
    )
    .addCheckConstraint(
      'membership_admin_period_form',
      sql`admin_period ~ '^[VH]?[0-9]{4}(/[VH]?[0-9]{4})?$'`,
    )
    .execute();
  await db.schema
    .createIndex('membership_person_idx')
    .on('records.membership')
    .columns(['person_id', 'roletype'])
    .execute();
}

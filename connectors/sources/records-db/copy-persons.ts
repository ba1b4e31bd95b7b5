import type { Person } from '../../../src/model/index.js';
import { HubError } from '../../../src/errors/index.js';
import {
  bool,
  copyTextBatches,
  CopyRowReader,
  nullable,
  smallint,
  text,
  type CopyField,
  type CopySnapshot,
} from './copy-rows.js';
import { mapPerson, type PersonRows } from './map-person.js';

/*
 * Persons read by COPY: the person table and each child table as a plain `COPY (SELECT …) TO STDOUT` of
 * its own, every one ordered by person id and read at once on a connection of its own (all in the same
 * exported snapshot), then merged here in one ordered pass, a k-way merge by person id. No aggregation
 * in PostgreSQL and no JSON: each stream is a scan of one table, and each row is parsed once. Ids are
 * uuids, whose order in PostgreSQL is their text's order in JavaScript, so the merge compares them as
 * strings. The rows per person are those the keyset pages give (read-persons.ts), mapped by mapPerson.
 */

/**
 * A stream's query: `select` from one table, `where` anything it always needs, ordered by `key` (the
 * person id the merge goes by), which `keyFilter` also restricts when only some persons are read.
 */
interface StreamQuery {
  readonly select: string;
  readonly key: string;
  readonly where?: string;
}

const personsQuery: StreamQuery = {
  select: `select id, given_name, middle_name, family_name, gender, national_identity_number, status,
  preferred_language, address_protection, to_char(birth_date, 'YYYY-MM-DD')
from records.person`,
  key: 'id',
};

type Rows = CopyField[][];

/**
 * The child streams, each a query whose first column is the person id it is ordered by. Enrolments and
 * employments are the affiliations (`pupil` and `staff`); a 01 membership makes a pupil and a guardian
 * relation a guardian (the last two streams: the person ids alone). Special categories, native tongue
 * and staff position are never named.
 */
const childQueries = {
  identifiers: {
    select: `select person_id, identifier_type, value from records.person_identifier`,
    key: 'person_id',
  },
  emails: {
    select: `select person_id, email_type, address, priority from records.person_email`,
    key: 'person_id',
  },
  phones: {
    select: `select person_id, phone_type, number, priority from records.person_phone`,
    key: 'person_id',
  },
  addresses: {
    select: `select person_id, address_type, street1, street2, street3, postal_code, locality, country
    from records.person_address`,
    key: 'person_id',
  },
  guardians: {
    select: `select pupil_id, guardian_id, has_parental_responsibility, parent_access_consent
    from records.guardian_relation`,
    key: 'pupil_id',
  },
  enrolments: {
    select: `select person_id, school_id, grade, school_transport_right, to_char(begins, 'YYYY-MM-DD'),
      to_char(ends, 'YYYY-MM-DD')
    from records.pupil_enrolment`,
    key: 'person_id',
  },
  employments: {
    select: `select person_id, school_id, to_char(begins, 'YYYY-MM-DD'), to_char(ends, 'YYYY-MM-DD')
    from records.staff_employment`,
    key: 'person_id',
  },
  pupils: {
    select: `select distinct person_id from records.membership`,
    key: 'person_id',
    where: `roletype = '01'`,
  },
  guardianIds: { select: `select distinct guardian_id from records.guardian_relation`, key: 'guardian_id' },
} as const satisfies Record<string, StreamQuery>;

/** The statement of `query`, restricted to the rows of `keys` when given (see keyFilter). */
function statement(query: StreamQuery, keys?: readonly string[]): string {
  const where = [query.where, keys === undefined ? undefined : keyFilter(query.key, keys)].filter(
    (condition) => condition !== undefined,
  );
  return `${query.select}${where.length === 0 ? '' : ` where ${where.join(' and ')}`} order by ${query.key}`;
}

const uuidText = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `column = any('{…}'::uuid[])`: COPY takes no parameters, so the keys are written into the statement,
 * each checked to be a uuid first (the store's keys are; anything else is refused, never quoted).
 */
export function keyFilter(column: string, keys: readonly string[]): string {
  for (const key of keys)
    if (!uuidText.test(key))
      throw new HubError('PIFU_SOURCE_INVALID', 'a changed key of the records store is not a uuid');
  return `${column} = any('{${keys.join(',')}}'::uuid[])`;
}

type Child = keyof typeof childQueries;
const children = Object.keys(childQueries) as Child[];
/** A person's rows of each child stream, by the stream's position in `children`. */
type ChildRows = readonly Rows[];
const none: Rows = [];

function personRows(row: CopyField[], childRows: ChildRows): PersonRows {
  const [id, given, middle, family, gender, nin, status, language, protection, birthDate] = row;
  // In the order of childQueries.
  const [identifiers, emails, phones, addresses, guardians, enrolments, employments, pupils, guardianIds] =
    childRows as [Rows, Rows, Rows, Rows, Rows, Rows, Rows, Rows, Rows];
  const populations: string[] = [];
  if (pupils.length > 0) populations.push('pupil');
  if (guardianIds.length > 0) populations.push('guardian');
  return {
    person: {
      id: text(id),
      given_name: text(given),
      middle_name: nullable(middle),
      family_name: text(family),
      gender: text(gender),
      national_identity_number: nullable(nin),
      status: text(status),
      preferred_language: nullable(language),
      address_protection: text(protection),
      birth_date: nullable(birthDate),
    },
    identifiers: identifiers.map(([, identifierType, value]) => ({
      identifier_type: text(identifierType),
      value: text(value),
    })),
    emails: emails.map(([, emailType, address, priority]) => ({
      email_type: text(emailType),
      address: text(address),
      priority: Number(text(priority)),
    })),
    phones: phones.map(([, phoneType, number, priority]) => ({
      phone_type: text(phoneType),
      number: text(number),
      priority: Number(text(priority)),
    })),
    addresses: addresses.map(([, type, street1, street2, street3, postalCode, locality, country]) => ({
      address_type: text(type),
      street1: text(street1),
      street2: nullable(street2),
      street3: nullable(street3),
      postal_code: nullable(postalCode),
      locality: nullable(locality),
      country: text(country),
    })),
    guardians: guardians.map(([, guardianId, responsibility, consent]) => ({
      guardian_id: text(guardianId),
      has_parental_responsibility: bool(responsibility),
      parent_access_consent: bool(consent),
    })),
    affiliations: [
      ...enrolments.map(([, school, grade, transport, begins, ends]) => ({
        school_id: text(school),
        population: 'pupil',
        grade: smallint(grade),
        school_transport_right: transport === null || transport === undefined ? null : bool(transport),
        begins: nullable(begins),
        ends: nullable(ends),
      })),
      ...employments.map(([, school, begins, ends]) => ({
        school_id: text(school),
        population: 'staff',
        grade: null,
        school_transport_right: null,
        begins: nullable(begins),
        ends: nullable(ends),
      })),
    ],
    populations,
  };
}

/** One stream's rows, a received chunk's text at a time, parsed row by row as the merge reaches them. */
class Cursor {
  readonly rows = new CopyRowReader();
  done = false;
  constructor(readonly blocks: AsyncGenerator<string>) {}

  /** The next row: at hand, or read on until there is one or the stream has ended (undefined). */
  async next(): Promise<CopyField[] | undefined> {
    for (;;) {
      const row = this.rows.peek();
      if (row !== undefined || this.done) return row;
      const next = await this.blocks.next();
      if (next.done === true) this.done = true;
      else this.rows.load(next.value);
    }
  }
}

const orphan = (child: string): HubError =>
  new HubError(
    'PIFU_SOURCE_INVALID',
    `a records store ${child} row belongs to no person of the snapshot; check the store's foreign keys`,
  );

/**
 * Persons in key order, each with their child rows, mapped one person at a time and handed over a
 * batch at a time: the persons of one chunk of the person stream. Given `keys`, only those persons
 * (each stream reads their rows alone).
 */
export async function* copyPersonBatches(
  snapshot: CopySnapshot,
  keys?: readonly string[],
): AsyncGenerator<Person[]> {
  const persons = new Cursor(copyTextBatches('persons', snapshot, statement(personsQuery, keys)));
  const cursors = children.map(
    (child) => new Cursor(copyTextBatches(child, snapshot, statement(childQueries[child], keys))),
  );
  const all = [persons, ...cursors];
  try {
    // Every stream connects and starts at once, so PostgreSQL works on all of them while this merges.
    const started = await Promise.allSettled(all.map((cursor) => cursor.next()));
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    let ready: Person[] = [];
    for (;;) {
      let row = persons.rows.peek();
      if (row === undefined) {
        // The end of a chunk of the person stream: its persons go as one batch.
        if (ready.length > 0) yield ready;
        ready = [];
        row = await persons.next();
        if (row === undefined) break;
      }
      persons.rows.advance();
      const id = text(row[0]);
      const rows: Rows[] = [];
      for (let i = 0; i < cursors.length; i++) {
        const cursor = cursors[i] as Cursor;
        let mine = none;
        for (;;) {
          const child = cursor.rows.peek() ?? (await cursor.next());
          if (child === undefined) break;
          const key = child[0] ?? '';
          if (key !== id) {
            if (key < id) throw orphan(children[i] as Child);
            break;
          }
          if (mine === none) mine = [];
          mine.push(child);
          cursor.rows.advance();
        }
        rows.push(mine);
      }
      ready.push(mapPerson(personRows(row, rows)));
    }
    for (let i = 0; i < cursors.length; i++)
      if ((await (cursors[i] as Cursor).next()) !== undefined) throw orphan(children[i] as Child);
  } finally {
    // Stopping early (or failing) ends every stream's connection.
    await Promise.allSettled(all.map((cursor) => cursor.blocks.return(undefined)));
  }
}

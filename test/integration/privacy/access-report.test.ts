import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import {
  renderAccessReport,
  reportAccess,
  restrictPerson,
  startExport,
  writePrivateFile,
} from '../../../src/operations/index.js';
import { readFeed } from '../../../src/pifu/index.js';
import { pseudonymFor } from '../../../src/profiles/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  actors,
  expectDenied,
  operationsOver,
  seededDatabase,
  succeeds,
} from '../operations/operations-fixture.js';

const artifacts = new URL('../../../test-artifacts/', import.meta.url).pathname;
const secretVariable = 'PIFU_TEST_ACCESS_PSEUDONYM_KEY';
const secret = 'the research recipient pseudonym secret, 32+ bytes';

/**
 * Which delivered transfers carry the person, read from the delivered files themselves: a person record
 * or a membership naming them (by key, or by pseudonym for a pseudonymised recipient) that is not a
 * delete (a delete carries the key only, and discloses nothing).
 */
async function transfersCarrying(database: TestDatabase, personKey: string): Promise<string[]> {
  const { rows } = await sql<{ id: string; recipient_id: string; location: string }>`SELECT id, recipient_id,
    location FROM hub.transfer WHERE status = 'delivered' ORDER BY id`.execute(database.db);
  const found: string[] = [];
  for (const transfer of rows) {
    const key =
      transfer.recipient_id === 'research' ? pseudonymFor(Buffer.from(secret), personKey) : personKey;
    const document = await readFeed(readFileSync(transfer.location, 'utf8'));
    let carries = false;
    for await (const { object, change } of document.persons())
      if (object.key === key && change !== 'delete') carries = true;
    for await (const { object, change } of document.memberships())
      if (object.personKey === key && change !== 'delete') carries = true;
    if (carries) found.push(transfer.id);
  }
  return found.sort();
}

describe('report access (GDPR Art. 15)', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let pupil: string;
  let guardian: string;

  beforeAll(async () => {
    process.env[secretVariable] = secret;
    database = await seededDatabase();
    const safety = { feed: { safety: { maxDeletePercent: 100, maxChangePercent: 100 } } };
    ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms'), { ...safety, relaysTo: ['Microsoft 365'] }),
      recipient('sms', 'sms', join(dir, 'sms'), safety),
      recipient('websak', 'archive', join(dir, 'websak'), safety),
      recipient('research', 'analytics', join(dir, 'research'), {
        ...safety,
        profile: { pseudonymise: true },
        pseudonymKey: { env: secretVariable },
      }),
      recipient('hr', 'staff', join(dir, 'hr'), safety),
    ]);
    const { rows } = await sql<{ pupil: string; guardian: string }>`SELECT g.pupil_id::text AS pupil,
      g.guardian_id::text AS guardian FROM records.guardian_relation g
      JOIN records.person p ON p.id = g.pupil_id JOIN records.person gp ON gp.id = g.guardian_id
      JOIN records.pupil_enrolment e ON e.person_id = p.id AND e.ends IS NULL
      WHERE g.has_parental_responsibility AND p.status = 'active' AND gp.status = 'active'
      ORDER BY 1, 2 LIMIT 1`.execute(database.db);
    ({ pupil, guardian } = rows[0]!);
    await startExport(ops, actors.operator, { all: true });
    // Another delivery to one recipient, then a restriction that deletes the pupil at another.
    await startExport(ops, actors.operator, { recipients: ['lms'] });
    await restrictPerson(ops, actors.privacyAdmin, {
      person: pupil,
      recipients: ['websak'],
      reason: 'Case 2026/300: accuracy contested',
    });
  });
  afterAll(async () => {
    delete process.env[secretVariable];
    await database.destroy();
  });

  it.each([
    ['a pupil', () => pupil],
    ['their guardian', () => guardian],
  ])('lists exactly the transfers whose delivered files carry %s', async (_, key) => {
    const personKey = key();
    const { result, rows } = await succeeds(database.db, () =>
      reportAccess(ops, actors.privacyAdmin, { person: personKey }),
    );
    const listed = result.recipients.flatMap((entry) => entry.transfers.map((t) => t.transferId)).sort();
    expect(listed.length).toBeGreaterThan(0);
    expect(listed).toEqual(await transfersCarrying(database, personKey));
    expect(rows).toEqual([
      expect.objectContaining({ action: 'report-access', outcome: 'done', subject: personKey }),
    ]);
    expect(rows[0]?.detail).toContain('categories only');
  });

  it('groups by recipient with purpose, legal basis, categories, dates, relays, holdings and restrictions', async () => {
    const report = await reportAccess(ops, actors.privacyAdmin, { person: pupil });
    const lms = report.recipients.find((entry) => entry.recipientId === 'lms')!;
    expect(lms).toMatchObject({ configured: true, country: 'NO', holdsNow: true, restricted: false });
    expect(lms.transfers).toHaveLength(2);
    expect(lms.periods).toEqual([
      expect.objectContaining({
        transfers: 2,
        purpose: 'Synthetic recipient for the test suite',
        legalBasis: 'GDPR Art. 6(1)(e); opplæringslova',
        relaysTo: ['Microsoft 365'],
        categories: expect.arrayContaining(['name', 'memberships']),
      }),
    ]);
    const websak = report.recipients.find((entry) => entry.recipientId === 'websak')!;
    expect(websak).toMatchObject({ holdsNow: false, restricted: true });
    const research = report.recipients.find((entry) => entry.recipientId === 'research')!;
    expect(research.periods[0]?.categories).toContain('pseudonym');
    expect(research.periods[0]?.categories).not.toContain('name');
    expect(report.hub.heldBy).toEqual(['lms', 'research', 'sms']);
    expect(report.hub.restrictions).toEqual([
      expect.objectContaining({
        recipientId: 'websak',
        liftedAt: null,
        requestedBy: actors.privacyAdmin.name,
      }),
    ]);
    expect(report.source).toMatchObject({ present: true, populations: ['pupil'] });
    expect(report.source.categories).toEqual(
      expect.arrayContaining(['name', 'bday', 'id:personNIN', 'memberships']),
    );
    expect(report.source.values).toBeUndefined();
  });

  it('holds values only when asked, and says so in the audit trail', async () => {
    const { rows: names } = await sql<{ given: string; nin: string }>`SELECT given_name AS given,
      national_identity_number AS nin FROM records.person WHERE id = ${pupil}`.execute(database.db);
    const plain = await renderAccessReport(await reportAccess(ops, actors.privacyAdmin, { person: pupil }), {
      lang: 'nb',
      format: 'json',
    });
    expect(plain).not.toContain(names[0]!.given);
    expect(plain).not.toContain(names[0]!.nin);
    const { result, rows } = await succeeds(database.db, () =>
      reportAccess(ops, actors.privacyAdmin, { person: pupil, values: true }),
    );
    expect(result.source.values?.name).toContain(names[0]!.given);
    expect(result.source.values?.details['id:personNIN']).toEqual([names[0]!.nin]);
    expect(rows[0]?.detail).toContain('with values');
  });

  it('renders self-contained HTML in bokmål and English', async () => {
    const report = await reportAccess(ops, actors.privacyAdmin, { person: pupil });
    const nb = (await renderAccessReport(report, { lang: 'nb', format: 'html' })) as string;
    const en = (await renderAccessReport(report, { lang: 'en', format: 'html' })) as string;
    for (const html of [nb, en]) {
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).not.toMatch(/<script|<link|<img|src=|url\(|https?:\/\//i);
      expect(html).toContain('Microsoft 365');
      expect(html).toContain('Synthetic recipient for the test suite');
    }
    expect(nb).toContain('<html lang="nb">');
    expect(nb).toContain('Hvem som har fått opplysninger om deg');
    expect(nb).toContain('Rettslig grunnlag');
    expect(nb).toContain('Begrenset for');
    expect(en).toContain('Who received data about you');
    expect(en).toContain('Legal basis');
    // One person is registered as one pupil, not as "Pupils".
    expect(nb).toMatch(/<dt>Registrert som<\/dt><dd>elev<\/dd>/);
    expect(en).toMatch(/<dt>Registered as<\/dt><dd>pupil<\/dd>/);
  });

  it('renders an A4 PDF a reader can read: written 0600, turned into PNG pages for a look', async () => {
    const report = await reportAccess(ops, actors.privacyAdmin, { person: pupil });
    const pdf = (await renderAccessReport(report, { lang: 'nb', format: 'pdf' })) as Buffer;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    mkdirSync(artifacts, { recursive: true });
    const path = join(artifacts, 'access-report-nb.pdf');
    await writePrivateFile(path, [pdf]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileSync(
      join(artifacts, 'access-report-en.pdf'),
      (await renderAccessReport(report, { lang: 'en', format: 'pdf' })) as Buffer,
    );
    const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
    expect(text).toContain('Hvem som har fått opplysninger om deg');
    expect(text).toContain('Synthetic recipient for the test suite');
    expect(text).toContain('Fødselsdato');
    execFileSync('pdftoppm', ['-png', '-r', '70', path, join(artifacts, 'access-report-nb')]);
    expect(statSync(join(artifacts, 'access-report-nb-1.png')).size).toBeGreaterThan(10_000);
  });

  it('is refused without the privacy-admin role', async () => {
    await expectDenied(database.db, () => reportAccess(ops, actors.operator, { person: pupil }), {
      actor: actors.operator,
      action: 'report-access',
      role: 'privacy-admin',
    });
  });
});

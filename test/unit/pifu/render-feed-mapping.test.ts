import { HubError } from '../../../src/errors/index.js';
import { validateFeedText } from '../../../src/pifu/index.js';
import {
  feedInput,
  owner,
  readAll,
  renderToString,
  sampleGroup,
  sampleMembership,
  samplePerson,
  school,
} from './feed-fixture.js';

describe('renderFeed', () => {
  it('writes the declaration and PIFU as the default namespace, without prefixes or comments', async () => {
    const xml = await renderToString(feedInput({ persons: [{ object: samplePerson() }] }));
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<enterprise xmlns="http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1">',
      ),
    ).toBe(true);
    expect(xml).not.toMatch(/<\w+:/);
    expect(xml).not.toContain('<!--');
    expect(xml.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('codes gender the IMS way: female 1, male 2, unknown 0', async () => {
    const xml = await renderToString(
      feedInput({
        persons: [
          { object: samplePerson({ key: 'a', gender: 'female' }) },
          { object: samplePerson({ key: 'b', gender: 'male' }) },
          { object: samplePerson({ key: 'c', gender: 'unknown' }) },
        ],
      }),
    );
    expect([...xml.matchAll(/<gender>(\d)<\/gender>/g)].map((match) => match[1])).toEqual(['1', '2', '0']);
  });

  it('writes the own sourcedid first and plainly, and the middle name inside given', async () => {
    const xml = await renderToString(feedInput({ persons: [{ object: samplePerson() }] }));
    expect(xml).toContain(
      '<person><sourcedid><source>sas@måne.kommune.no</source><id>p-0001</id></sourcedid><userid useridtype="feideID">',
    );
    expect(xml).toContain(
      '<name><fn>Åse Marie Ødegård</fn><n><family>Ødegård</family><given>Åse Marie</given></n></name>',
    );
  });

  it('puts the organisation e-mail and the top phone of each teltype at top level', async () => {
    const xml = await renderToString(feedInput({ persons: [{ object: samplePerson() }] }));
    expect(xml).toContain(
      '<email>ase@skole.mane.no</email><tel teltype="1">+4773000073</tel><tel teltype="3">+4799900099</tel>',
    );
  });

  it('writes roletype as two digits, subrole, status and the primary relation', async () => {
    const xml = await renderToString(
      feedInput({
        memberships: [
          {
            object: sampleMembership({
              personKey: 'p-1',
              role: 'management',
              subrole: 'rektor',
              isPrimary: false,
            }),
          },
          { object: sampleMembership({ personKey: 'p-2', role: 'assistant', isActive: false }) },
        ],
      }),
    );
    expect(xml).toContain('<role roletype="05"><subrole>rektor</subrole><status>1</status></role>');
    expect(xml).toContain(
      '<role roletype="08"><status>0</status><extension><pifu_primaryRelation>1</pifu_primaryRelation></extension></role>',
    );
  });

  it('uses the org scheme for owner and school and the group scheme with its level for the rest', async () => {
    const xml = await renderToString(
      feedInput({
        groups: [
          { object: owner },
          { object: school },
          { object: sampleGroup({ key: 'g-fag', type: 'fag' }) },
          { object: sampleGroup({ key: 'g-exam', type: 'eksamensgruppe' }) },
        ],
      }),
    );
    const grouptypes = [...xml.matchAll(/<scheme>([^<]+)<\/scheme><typevalue level="(\d+)">([^<]+)</g)].map(
      (m) => m.slice(1).join(' '),
    );
    expect(grouptypes).toEqual([
      'pifu-ims-go-org 1 skoleeier',
      'pifu-ims-go-org 2 skole',
      'pifu-ims-go-grp 7 fag',
      'pifu-ims-go-grp 16 eksamensgruppe',
    ]);
  });

  it("labels a group's parent relationship with the org unit's short name and leaves nsrId out", async () => {
    const xml = await renderToString(feedInput({ groups: [{ object: owner }, { object: sampleGroup() }] }));
    expect(xml).toContain('<label>Måne kommune</label></relationship>');
    expect(xml).toContain('<label>Måneflekken skole</label></relationship>');
    expect(xml).toContain('<pifu_id type="organizationNumber"><pifu_value>999000999</pifu_value>');
    expect(xml).not.toContain('1234');
  });

  it('carries no recstatus anywhere in a full feed', async () => {
    const xml = await renderToString(
      feedInput({
        persons: [{ object: samplePerson(), change: 'change' }],
        groups: [{ object: sampleGroup(), change: 'add' }],
        memberships: [{ object: sampleMembership(), change: 'add' }],
      }),
    );
    expect(xml).not.toContain('recstatus');
    expect(xml).toContain('<type>full</type>');
  });

  it('carries recstatus 1/2/3 on every person, group and role in a delta feed', async () => {
    const xml = await renderToString(
      feedInput({
        feedType: 'delta',
        persons: [{ object: samplePerson(), change: 'add' }],
        groups: [{ object: sampleGroup(), change: 'change' }],
        memberships: [{ object: sampleMembership(), change: 'delete' }],
      }),
    );
    expect(xml).toContain('<person recstatus="1">');
    expect(xml).toContain('<group recstatus="2">');
    expect(xml).toContain('<role roletype="01" recstatus="3">');
    expect(xml).toContain('<type>delta</type>');
  });

  it('gathers consecutive records of one group into one membership and of one person into one member', async () => {
    const xml = await renderToString(
      feedInput({
        memberships: [
          { object: sampleMembership({ groupKey: 'g-a', personKey: 'p-1', role: 'teacher' }) },
          { object: sampleMembership({ groupKey: 'g-a', personKey: 'p-1', role: 'contactTeacher' }) },
          { object: sampleMembership({ groupKey: 'g-a', personKey: 'p-2' }) },
          { object: sampleMembership({ groupKey: 'g-b', personKey: 'p-1' }) },
        ],
      }),
    );
    expect(xml.match(/<membership>/g)).toHaveLength(2);
    expect(xml.match(/<member>/g)).toHaveLength(3);
    expect(xml.match(/<role /g)).toHaveLength(4);
    const feed = await readAll(xml);
    expect(
      feed.memberships.map(
        (entry) => `${entry.object.groupKey}/${entry.object.personKey}/${entry.object.role}`,
      ),
    ).toEqual(['g-a/p-1/teacher', 'g-a/p-1/contactTeacher', 'g-a/p-2/pupil', 'g-b/p-1/pupil']);
  });

  it('escapes & < > " \' and writes tab, LF and CR as character references', async () => {
    const xml = await renderToString(
      feedInput({
        persons: [{ object: samplePerson({ name: { given: 'A&B <C> "D"', family: "O'Brien\r\n\tX" } }) }],
      }),
    );
    expect(xml).toContain('<given>A&amp;B &lt;C&gt; &quot;D&quot;</given>');
    expect(xml).toContain('<family>O&apos;Brien&#13;&#10;&#9;X</family>');
    const feed = await readAll(xml);
    expect(feed.persons[0]?.object.name).toEqual({ given: 'A&B <C> "D"', family: "O'Brien\r\n\tX" });
  });

  it('replaces characters XML 1.0 cannot carry with U+FFFD and keeps emoji intact', async () => {
    const xml = await renderToString(
      feedInput({
        persons: [{ object: samplePerson({ name: { given: 'A\u0000B\uFFFF\uD800C', family: 'Smile 😀' } }) }],
      }),
    );
    expect(await validateFeedText(xml)).toEqual({ valid: true, errors: [] });
    const feed = await readAll(xml);
    expect(feed.persons[0]?.object.name).toEqual({ given: 'A\uFFFDB\uFFFD\uFFFDC', family: 'Smile 😀' });
  });

  it('cuts a group short name over 60 characters at a grapheme boundary', async () => {
    const shortName = `${'x'.repeat(59)}👍🏽tail`;
    const xml = await renderToString(feedInput({ groups: [{ object: sampleGroup({ shortName }) }] }));
    const feed = await readAll(xml);
    expect(feed.groups[0]?.object.shortName).toBe('x'.repeat(59));
  });

  it('writes a feed the XSD accepts', async () => {
    const xml = await renderToString(
      feedInput({
        persons: [{ object: samplePerson() }, { object: samplePerson({ key: 'p-0002', guardians: [] }) }],
        groups: [{ object: owner }, { object: school }, { object: sampleGroup() }],
        memberships: [{ object: sampleMembership() }],
      }),
    );
    expect(await validateFeedText(xml)).toEqual({ valid: true, errors: [] });
  });
});

describe('renderFeed refuses objects it cannot write as valid PIFU', () => {
  async function renderError(parts: Parameters<typeof feedInput>[0]): Promise<HubError> {
    try {
      await renderToString(feedInput(parts));
    } catch (error) {
      if (error instanceof HubError) return error;
      throw error;
    }
    throw new Error('renderFeed did not throw');
  }

  it('names only the person key when a phone number is not +digits', async () => {
    const error = await renderError({
      persons: [{ object: samplePerson({ phones: [{ kind: 'org', number: '99 90 00 99', priority: 1 }] }) }],
    });
    expect(error.code).toBe('PIFU_MODEL_INVALID');
    expect(error.message).toContain('"p-0001"');
    expect(error.message).not.toContain('99 90');
  });

  it('refuses an e-mail address the XSD pattern rejects', async () => {
    const error = await renderError({
      persons: [
        { object: samplePerson({ emails: [{ kind: 'org', address: 'ase-at-skole', priority: 1 }] }) },
      ],
    });
    expect(error.code).toBe('PIFU_MODEL_INVALID');
    expect(error.message).not.toContain('ase-at-skole');
  });

  it('refuses a delta object without a change kind', async () => {
    const error = await renderError({ feedType: 'delta', groups: [{ object: sampleGroup() }] });
    expect(error.code).toBe('PIFU_MODEL_INVALID');
    expect(error.message).toContain('group "g-7a"');
  });

  it('refuses a group whose parent is not a known org unit', async () => {
    const error = await renderError({
      groups: [{ object: sampleGroup() }],
      orgUnits: new Map([[owner.key, 'x']]),
    });
    expect(error.message).toContain('parentKey');
  });

  it('refuses memberships out of (groupKey, personKey) order', async () => {
    const error = await renderError({
      memberships: [
        { object: sampleMembership({ groupKey: 'g-b' }) },
        { object: sampleMembership({ groupKey: 'g-a' }) },
      ],
    });
    expect(error.message).toContain('membership "g-a/p-0001/pupil"');
  });

  it('refuses a subrole the spec does not allow for the role', async () => {
    const error = await renderError({ memberships: [{ object: sampleMembership({ subrole: 'rektor' }) }] });
    expect(error.message).toContain('subrole');
  });

  it('refuses an impossible birth date', async () => {
    const error = await renderError({ persons: [{ object: samplePerson({ birthDate: '2023-02-30' }) }] });
    expect(error.message).toContain('birthDate');
    expect(error.message).not.toContain('2023');
  });

  it('refuses a family name over the 256 characters of the XSD', async () => {
    const error = await renderError({
      persons: [{ object: samplePerson({ name: { given: 'A', family: 'B'.repeat(257) } }) }],
    });
    expect(error.message).toContain('name is longer than 256');
  });
});

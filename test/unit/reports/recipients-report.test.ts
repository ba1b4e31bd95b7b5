import { loadRecipientConfigs, type RecipientConfig } from '../../../src/config/index.js';
import { renderRecipientsReport, reportRecipients } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';

const shipped = loadRecipientConfigs(new URL('../../../fixtures/recipients/', import.meta.url).pathname);
const now = () => new Date('2026-11-27T12:00:00Z');
const over = (configs: readonly RecipientConfig[]) => ({
  recipients: new Map(configs.map((config) => [config.id, config])),
  now,
});

describe('report recipients: the live list a privacy declaration publishes', () => {
  it.each(['md', 'html', 'json'] as const)('lists every shipped recipient (%s)', (format) => {
    const report = reportRecipients(over(shipped));
    expect(report.recipients.map((entry) => entry.id).sort()).toEqual(
      shipped.map((config) => config.id).sort(),
    );
    const text = renderRecipientsReport(report, { lang: 'nb', format });
    for (const config of shipped) {
      expect(text).toContain(config.id);
      // Names and purposes as written in the config (HTML escapes quotes and ampersands).
      const escape = (value: string) =>
        format === 'html'
          ? value.replaceAll('&', '&amp;').replaceAll("'", '&#39;').replaceAll('"', '&quot;')
          : value;
      expect(text).toContain(
        format === 'json' ? JSON.stringify(config.name).slice(1, -1) : escape(config.name),
      );
    }
  });

  it('names purpose, legal basis, data per population, identifiers, country and relays in words', () => {
    const websak = shipped.find((config) => config.id === 'websak')!;
    const md = renderRecipientsReport(reportRecipients(over([websak])), { lang: 'en', format: 'md' });
    const row = md.split('\n').find((line) => line.startsWith('| Websak'))!;
    expect(row).toContain(websak.purpose);
    expect(row).toContain(websak.legalBasis);
    expect(row).toContain('Pupils: Name, Date of birth');
    expect(row).toContain('National identity number');
    expect(row).toContain('Norway');
    const nb = renderRecipientsReport(reportRecipients(over([websak])), { lang: 'nb', format: 'md' });
    expect(nb).toContain('Elever: Navn, Fødselsdato');
    expect(nb).toContain('Fødselsnummer');
    expect(nb).toContain('Norge');
  });

  it('shows a configuration change: a narrowed profile, another country, a relay', () => {
    const before = recipient('lms', 'lms', '/srv/drop/lms');
    const after = recipient('lms', 'lms', '/srv/drop/lms', {
      profile: { fields: ['name', 'status'] },
      processing: { country: 'SE', dpaReference: 'DPA-2026-9' },
      relaysTo: ['Microsoft 365'],
    });
    const render = (config: RecipientConfig) =>
      renderRecipientsReport(reportRecipients(over([config])), { lang: 'en', format: 'md' });
    expect(render(before)).toMatch(/Pupils: [^|<]*School e-mail address/);
    expect(render(after)).not.toMatch(/Pupils: [^|<]*School e-mail address/);
    expect(render(after)).toContain('Sweden');
    expect(render(after)).toContain('Microsoft 365');
    const json = JSON.parse(
      renderRecipientsReport(reportRecipients(over([after])), { lang: 'en', format: 'json' }),
    );
    expect(json.recipients[0]).toMatchObject({ country: 'SE', relaysTo: ['Microsoft 365'] });
  });

  it('renders a self-contained HTML page: no scripts, links or assets to fetch', () => {
    const html = renderRecipientsReport(reportRecipients(over(shipped)), { lang: 'nb', format: 'html' });
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|src=|url\(|https?:\/\//i);
  });
});

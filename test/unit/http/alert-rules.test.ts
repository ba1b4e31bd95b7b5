import { readFileSync } from 'node:fs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { parse } from 'yaml';
import { renderMetrics } from '../../../jobs/http/metrics-registry.js';
import { jobStates, type QueueCounts } from '../../../src/ports/index.js';

const root = new URL('../../../', import.meta.url);
const rulesText = readFileSync(new URL('docs/prometheus-alerts.yml', root), 'utf8');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (parse(rulesText) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap(
  (group) => group.rules,
);
const histogram = { upperBounds: [1], cumulativeCounts: [0], sum: 0, count: 0 };

/** Every metric family /metrics serves, rendered from one recipient's numbers and a live queue. */
async function servedNames(): Promise<Set<string>> {
  const { text } = await renderMetrics({
    at: new Date('2026-11-27T12:00:00Z'),
    recipientIds: ['lms'],
    delivered: [{ recipientId: 'lms', feedType: 'full', feeds: 1, bytes: 10 }],
    transfers: [{ recipientId: 'lms', status: 'delivered', count: 1 }],
    runs: [{ status: 'completed', count: 1 }],
    runSeconds: histogram,
    feedWriteSeconds: histogram,
    holdsWaiting: [{ recipientId: 'lms', count: 0 }],
    oldestOffers: [{ recipientId: 'lms', offeredAt: new Date('2026-11-27T11:00:00Z') }],
    lastDeliveries: [{ recipientId: 'lms', deliveredAt: new Date('2026-11-27T10:00:00Z') }],
    queues: [
      { queue: 'deliver', ...Object.fromEntries(jobStates.map((state) => [state, 0])) } as QueueCounts,
    ],
    queueUp: true,
  });
  return new Set(parsePrometheusTextFormat(text).map((family) => family.name));
}

describe('docs/prometheus-alerts.yml: the shipped alert rules', () => {
  it('alerts on a recipient not delivered for N hours and on dead letters > 0', () => {
    const byName = new Map(rules.map((rule) => [rule.alert, rule]));
    expect(byName.get('PifuHubRecipientNotDelivered')?.expr).toMatch(
      /^pifu_hub_recipient_seconds_since_last_delivery > \d+ \* 3600$/,
    );
    expect(byName.get('PifuHubDeadLetters')?.expr).toBe('pifu_hub_dead_letters > 0');
    for (const rule of rules) {
      expect([rule.alert, rule.for]).toEqual([rule.alert, expect.stringMatching(/^\d+[mh]$/)]);
      expect(rule.labels?.['severity']).toMatch(/^(warning|critical)$/);
      expect(rule.annotations?.['summary']).toBeTruthy();
    }
  });

  it('names only metrics that /metrics serves', async () => {
    const served = await servedNames();
    const named = new Set(rules.flatMap((rule) => rule.expr.match(/\bpifu_hub_\w+/g) ?? []));
    expect(named.size).toBeGreaterThanOrEqual(2);
    expect([...named].filter((name) => !served.has(name))).toEqual([]);
  });

  it('is where the docs say it is', () => {
    expect(readFileSync(new URL('docs/api.md', root), 'utf8')).toContain('prometheus-alerts.yml');
  });
});

import {
  recipientsReportDocument,
  renderHtml,
  renderRecipientsMarkdown,
  type RecipientsReport,
  type ReportLanguage,
} from '../../reports/index.js';
import type { Actor } from '../actor.js';
import { authorize } from '../authorize.js';
import type { OperationContext } from '../operation-context.js';
import { populationDisclosures } from './recipient-description.js';

/**
 * The live list of recipients (R5) as a privacy declaration publishes it: per recipient the purpose,
 * legal basis, what it receives per population, identifiers, country of processing and relays. Reads
 * configuration only, like `recipients list`; no personal data, so no role and no audit row.
 */
export function reportRecipients(ctx: Pick<OperationContext, 'recipients' | 'now'>): RecipientsReport {
  return {
    generatedAt: ctx.now(),
    recipients: [...ctx.recipients.values()].map((config) => ({
      id: config.id,
      name: config.name,
      kind: config.kind,
      purpose: config.purpose,
      legalBasis: config.legalBasis,
      country: config.processing.country,
      dpaReference: config.processing.dpaReference,
      relaysTo: [...(config.relaysTo ?? [])],
      pseudonymised: config.resolvedProfile.pseudonymise,
      receives: populationDisclosures(config.resolvedProfile),
    })),
  };
}

/**
 * The same list for a signed-in caller of the API: any operator role may read it (a recipient's pull token
 * may not, and the refusal is audited); the list itself carries no personal data, so no audit row.
 */
export async function readRecipientsReport(
  ctx: Pick<OperationContext, 'db' | 'recipients' | 'now'>,
  actor: Actor,
): Promise<RecipientsReport> {
  await authorize(ctx, actor, 'viewer', 'report-recipients');
  return reportRecipients(ctx);
}

export type RecipientsReportFormat = 'md' | 'html' | 'json';

export function renderRecipientsReport(
  report: RecipientsReport,
  options: { lang: ReportLanguage; format: RecipientsReportFormat },
): string {
  if (options.format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (options.format === 'md') return renderRecipientsMarkdown(report, options.lang);
  return renderHtml(recipientsReportDocument(report, options.lang));
}

import { z } from 'zod';
import {
  accessReportDocument,
  buildAccessReport,
  renderHtml,
  renderPdf,
  type AccessReport,
  type ReportLanguage,
} from '../reports/index.js';
import type { Actor } from './actor.js';
import { audited } from './audited.js';
import { authorize } from './authorize.js';
import type { OperationContext } from './operation-context.js';
import { parseInput } from './parse-input.js';
import { resolvePersonReference } from './person-reference.js';

const accessInput = z.strictObject({ person: z.string(), values: z.boolean().default(false) });
export type AccessReportInput = z.input<typeof accessInput>;

/**
 * GDPR Art. 15 (privacy-admin): the answer to a person's access request, as data — what the school
 * system holds about them (categories; the values only when asked), what the hub keeps, and every
 * disclosure by recipient with purpose, legal basis, categories, dates and relays. Faces render it
 * (renderAccessReport) as HTML, PDF or JSON. Audited, saying whether values were included.
 */
export async function reportAccess(
  ctx: OperationContext,
  actor: Actor,
  input: AccessReportInput,
): Promise<AccessReport> {
  await authorize(ctx, actor, 'privacy-admin', 'report-access');
  return audited(ctx, actor, 'report-access', async (trail) => {
    const request = parseInput(accessInput, input);
    const personKey = await resolvePersonReference(ctx, trail, request.person, { known: true });
    const report = await buildAccessReport(ctx, personKey, { includeValues: request.values });
    trail.detail =
      `access report (${request.values ? 'with values' : 'categories only'}): ` +
      `${report.recipients.length} recipients, ${report.recipients.reduce((n, r) => n + r.transfers.length, 0)} transfers`;
    return report;
  });
}

export type AccessReportFormat = 'html' | 'pdf' | 'json';

/** The report as a person gets it: a self-contained HTML page, an A4 PDF, or JSON. Pure. */
export async function renderAccessReport(
  report: AccessReport,
  options: { lang: ReportLanguage; format: AccessReportFormat },
): Promise<string | Buffer> {
  if (options.format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const document = accessReportDocument(report, options.lang);
  return options.format === 'html' ? renderHtml(document) : renderPdf(document, report.generatedAt);
}

import type { ChangeKind, Timeframe } from '../model/index.js';
import { assertNever } from '../errors/index.js';
import { FieldViolation } from './field-violation.js';
import type { RenderContext } from './render-context.js';
import { recstatusCode } from './pifu-vocabulary.js';
import { escapeXml } from './xml-escape.js';
import { fitsMaxLength, isAdminPeriod, isPlainDate } from './xsd-facets.js';

/** Escaped text for an XSD `t_stringN` element; longer values are refused, never cut. */
export function checkedText(value: string, maxChars: number, field: string): string {
  if (!fitsMaxLength(value, maxChars))
    throw new FieldViolation(field, `is longer than ${maxChars} characters`);
  return escapeXml(value);
}

/** Spec 2.5 row 5.6: `source` then `id`, no `sourcedidtype` (interop: written first and plainly). */
export function renderSourcedid(context: RenderContext, id: string, field: string): string {
  return `<sourcedid><source>${context.sourceXml}</source><id>${checkedText(id, 256, field)}</id></sourcedid>`;
}

/** XSD `timeframe`: begin and end are dates only (spec 2.5 row 5.10). */
export function renderTimeframe(timeframe: Timeframe, field: string): string {
  let xml = '<timeframe>';
  if (timeframe.begin !== undefined) {
    if (!isPlainDate(timeframe.begin)) throw new FieldViolation(`${field}.begin`, 'is not a YYYY-MM-DD date');
    xml += `<begin>${timeframe.begin}</begin>`;
  }
  if (timeframe.end !== undefined) {
    if (!isPlainDate(timeframe.end)) throw new FieldViolation(`${field}.end`, 'is not a YYYY-MM-DD date');
    xml += `<end>${timeframe.end}</end>`;
  }
  if (timeframe.adminPeriod !== undefined) {
    if (!isAdminPeriod(timeframe.adminPeriod)) {
      throw new FieldViolation(`${field}.adminPeriod`, 'is not like 2024, H2024 or 2024/2025');
    }
    xml += `<adminperiod>${timeframe.adminPeriod}</adminperiod>`;
  }
  return `${xml}</timeframe>`;
}

/**
 * Spec 2.5 row 5.5: a full feed never carries recstatus; a delta carries it on every person, group and
 * role. A full feed lists what exists, so an object marked for deletion cannot be in one.
 */
export function recstatusAttribute(context: RenderContext, change: ChangeKind | undefined): string {
  switch (context.feedType) {
    case 'full':
      if (change === 'delete')
        throw new FieldViolation('change', 'is "delete", which a full feed cannot express');
      return '';
    case 'delta':
      if (change === undefined)
        throw new FieldViolation('change', 'is missing, which every delta object needs');
      return ` recstatus="${recstatusCode[change]}"`;
    default:
      return assertNever(context.feedType);
  }
}

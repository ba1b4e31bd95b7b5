/** XSD `maxLength` counts characters (code points), not UTF-16 code units. */
function countCodePoints(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

export function fitsMaxLength(value: string, maxChars: number): boolean {
  return value.length <= maxChars || countCodePoints(value) <= maxChars;
}

const graphemes = new Intl.Segmenter('nb', { granularity: 'grapheme' });

/**
 * The longest prefix of whole grapheme clusters with at most `maxChars` code points, so a cut never
 * splits a surrogate pair, a combining accent or an emoji sequence.
 */
export function truncateToMaxLength(value: string, maxChars: number): string {
  if (fitsMaxLength(value, maxChars)) return value;
  let kept = '';
  let keptChars = 0;
  for (const { segment } of graphemes.segment(value)) {
    const segmentChars = countCodePoints(segment);
    if (keptChars + segmentChars > maxChars) break;
    kept += segment;
    keptChars += segmentChars;
  }
  return kept;
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A plain `xs:date` without zone (spec 2.5 row 5.10), including the day-of-month check XSD makes. */
export function isPlainDate(value: string): boolean {
  const match = datePattern.exec(value);
  if (match === null) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

const dateTimePattern =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)?$/;

/** `xs:dateTime` (spec 2.5 row 5.4), e.g. `2024-08-15T02:00:00Z` or `Date.toISOString()` output. */
export function isXsdDateTime(value: string): boolean {
  const match = dateTimePattern.exec(value);
  return match !== null && isPlainDate(match[1] ?? '');
}

/** XSD `t_tel`: `\+[\d]+`, at most 32 characters. ASCII digits only: XSD `\d` would admit any Nd digit. */
export const isPifuTel = (value: string): boolean => value.length <= 32 && /^\+[0-9]+$/.test(value);

/** XSD `email`: `.+@.+(\..+)+` anchored, where `.` is any character but LF and CR; at most 256. */
export const isPifuEmail = (value: string): boolean =>
  fitsMaxLength(value, 256) && /^[^\n\r]+@[^\n\r]+(\.[^\n\r]+)+$/u.test(value);

/** XSD `timeframe/adminperiod`: `[VH]*\d{4}(|/[VH]*\d{4})`, at most 32 characters. */
export const isAdminPeriod = (value: string): boolean =>
  value.length <= 32 && /^[VH]*[0-9]{4}(\/[VH]*[0-9]{4})?$/.test(value);

/** `pifu_preferredLanguage` is written with `source="ISO 639-1"`, so the value must be a two-letter code. */
export const isIso6391 = (value: string): boolean => /^[a-z]{2}$/.test(value);

import { html, type Html } from '../html.js';

/** A form field that may come once (a string) or repeated (an array). */
export function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every state-changing form asks why: the reason is kept with the run or decision and audited. */
export function reasonField(placeholder = 'e.g. case 2026/117: school asked for a fresh feed'): Html {
  return html`<label
    >Reason <input type="text" name="reason" required maxlength="500" placeholder="${placeholder}"
  /></label>`;
}

/** The same field for a form body schema: required, and bounded as the operations bound it. */
export const reasonProperty = { type: 'string', minLength: 1, maxLength: 500 } as const;

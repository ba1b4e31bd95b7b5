/**
 * The hub's person key is the source's opaque uuid, in lower case (PostgreSQL prints uuids in lower case,
 * and the delivered state and disclosure register store them so). Anything an operator types where a key
 * belongs is classified before it is used, so a national identity number is never looked up, stored or
 * echoed, and a mistyped key never silently matches nothing.
 */
export type PersonReference =
  | { readonly kind: 'key'; readonly key: string }
  /** Eleven digits once spaces, dots and dashes are gone: a national identity number or D-number. */
  | { readonly kind: 'identity-number'; readonly digits: string }
  | { readonly kind: 'invalid' };

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function classifyPersonReference(text: string): PersonReference {
  const trimmed = text.trim().toLowerCase();
  if (uuid.test(trimmed)) return { kind: 'key', key: trimmed };
  const digits = trimmed.replace(/[\s.-]/g, '');
  if (/^\d{11}$/.test(digits)) return { kind: 'identity-number', digits };
  return { kind: 'invalid' };
}

/** An example key for messages: the form, not anyone's key. */
export const personKeyExample = '3f6c2a9e-1b4d-4c8e-9a7f-0d2e5b6c7a81';

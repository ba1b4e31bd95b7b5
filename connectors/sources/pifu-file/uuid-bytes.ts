const canonical = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A uuid in its canonical text (lower case, with hyphens) as its 16 bytes, or undefined for any other
 * text: a hub key of a person read from a file is always such a uuid (file-identities.ts), so a table of
 * persons holds 16 bytes a key, not a 36-character string.
 */
export function uuidBytes(text: string): Buffer | undefined {
  if (text.length !== 36 || !canonical.test(text)) return undefined;
  return Buffer.from(text.replaceAll('-', ''), 'hex');
}

/** The canonical text of a uuid's 16 bytes. */
export function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const predefined: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Replaces `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` and `&#…;` / `&#x…;`; anything else stays as written.
 * The parser resolves no entity of any kind; the input guard has refused every other `&` before a record
 * gets here.
 */
export function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (whole, name: string) => {
    if (!name.startsWith('#')) return predefined[name] ?? whole;
    const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code <= 0x10ffff && code !== 0 ? String.fromCodePoint(code) : whole;
  });
}

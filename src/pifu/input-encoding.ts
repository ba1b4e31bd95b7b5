import { InputRefusal } from './input-limits.js';

export type InputEncoding = 'utf-8' | 'latin1';

const encodingNames: Readonly<Record<string, InputEncoding>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  'iso-8859-1': 'latin1',
  iso_8859_1: 'latin1',
  'iso_8859-1': 'latin1',
  'iso8859-1': 'latin1',
  latin1: 'latin1',
  'latin-1': 'latin1',
};

/**
 * The encoding of a file from its first bytes: its XML declaration's `encoding`, UTF-8 when it declares
 * none or has no declaration; undefined while more bytes are needed to tell (`isEnd`: there are no
 * more). UTF-16 and any other declared encoding are refused: PIFU files are UTF-8 or ISO-8859-1.
 */
export function detectEncoding(head: Buffer, isEnd: boolean): InputEncoding | undefined {
  if (!isEnd && head.length < 8) return undefined;
  if ((head[0] === 0xfe && head[1] === 0xff) || (head[0] === 0xff && head[1] === 0xfe)) {
    throw new InputRefusal('the file is UTF-16; PIFU files are UTF-8 (or ISO-8859-1 where declared)');
  }
  const text = head
    .subarray(0, 512)
    .toString('latin1')
    .replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '');
  if (!text.startsWith('<?xml')) {
    return 'utf-8';
  }
  const close = text.indexOf('?>');
  if (close === -1) {
    if (!isEnd && head.length < 512) return undefined;
    throw new InputRefusal('the XML declaration does not end within 512 bytes', 1);
  }
  const declared = /\sencoding\s*=\s*["']([^"']*)["']/.exec(text.slice(0, close))?.[1];
  const encoding = declared === undefined ? 'utf-8' : encodingNames[declared.toLowerCase()];
  if (encoding === undefined) {
    throw new InputRefusal(
      `the file declares the encoding ${JSON.stringify(declared?.slice(0, 32))}; PIFU files are UTF-8 or ISO-8859-1`,
      1,
    );
  }
  return encoding;
}

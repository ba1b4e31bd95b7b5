import { isUtf8 } from 'node:buffer';
import { detectEncoding, type InputEncoding } from './input-encoding.js';
import { defaultInputLimits, InputRefusal, type InputLimits } from './input-limits.js';

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const NL = 0x0a;
const BANG = 0x21;
const DASH = 0x2d;
const QUESTION = 0x3f;
const SLASH = 0x2f;
const SEMICOLON = 0x3b;
const BRACKET_OPEN = 0x5b;
const BRACKET_CLOSE = 0x5d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const cdataOpen = Buffer.from('[CDATA[');

const enum State {
  Text,
  Lt,
  LtBang,
  LtBangDash,
  Comment,
  CdataOpen,
  Cdata,
  Pi,
  Tag,
  Reference,
}

/** The five entities XML predefines, and character references: all that may follow `&`. */
const allowedReference = /^(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6})$/;

/**
 * A byte-level check of an XML stream that no parser has seen yet. It refuses, at the first byte that
 * shows it: a DOCTYPE or any other `<!` declaration (so no entity can be declared, and none is ever
 * loaded or fetched), a reference other than the five predefined entities and character references, a
 * NUL byte, bytes that are not UTF-8 (or a declared encoding other than UTF-8 or ISO-8859-1), nesting
 * past `maxDepth`, one markup or record past its size, a run of text (whitespace) before or after the
 * root element past `maxMarkupBytes`, the file past `maxBytes`, the clock past
 * `maxSeconds`. Well-formedness beyond that is left to the parser or validator that comes next.
 */
export class InputGuard {
  readonly #limits: InputLimits;
  readonly #deadline: number;
  #encoding: InputEncoding | undefined;
  #head = Buffer.alloc(0);
  #utf8Tail = Buffer.alloc(0);
  #state = State.Text;
  #afterReference = State.Text;
  #reference = '';
  #quote = 0;
  #dashes = 0;
  #brackets = 0;
  #lastTagByte = 0;
  #isEndTag = false;
  #matched = 0;
  #markupStart = 0;
  #depth = 0;
  /** Bytes of text since the last markup, counted outside the root element only. */
  #outsideText = 0;
  #recordStart = -1;
  #offset = 0;
  #line = 1;

  constructor(limits: InputLimits = defaultInputLimits, startedAt = Date.now()) {
    this.#limits = limits;
    this.#deadline = startedAt + limits.maxSeconds * 1000;
  }

  /** Known once the first bytes (up to the XML declaration) have been checked. */
  get encoding(): InputEncoding | undefined {
    return this.#encoding;
  }

  /** Checks the next bytes; returns the bytes that may be passed on now (held back until the encoding is known). */
  check(chunk: Buffer): Buffer {
    if (Date.now() > this.#deadline) {
      throw new InputRefusal(`reading took longer than the limit of ${this.#limits.maxSeconds} s`);
    }
    if (this.#offset + this.#head.length + chunk.length > this.#limits.maxBytes) {
      throw new InputRefusal(`the file is larger than the limit of ${this.#limits.maxBytes} bytes`);
    }
    if (this.#encoding === undefined) {
      this.#head = Buffer.concat([this.#head, chunk]);
      if (!this.#detectEncoding(false)) return Buffer.alloc(0);
      chunk = this.#head;
      this.#head = Buffer.alloc(0);
    }
    this.#checkEncoding(chunk);
    this.#scan(chunk);
    return chunk;
  }

  /** Call at the end of the input; returns what was still held back. */
  end(): Buffer {
    let rest = Buffer.alloc(0);
    if (this.#encoding === undefined) {
      this.#detectEncoding(true);
      rest = this.#head;
      this.#head = Buffer.alloc(0);
      this.#checkEncoding(rest);
      this.#scan(rest);
    }
    if (this.#utf8Tail.length > 0) throw new InputRefusal('the file ends inside a UTF-8 character');
    return rest;
  }

  #detectEncoding(isEnd: boolean): boolean {
    const encoding = detectEncoding(this.#head, isEnd);
    if (encoding === undefined) return false;
    this.#encoding = encoding;
    return true;
  }

  /** UTF-8 is checked per chunk; a character cut at the chunk's end waits for the next one. */
  #checkEncoding(chunk: Buffer): void {
    if (this.#encoding !== 'utf-8') return;
    let bytes = this.#utf8Tail.length === 0 ? chunk : Buffer.concat([this.#utf8Tail, chunk]);
    let cut = bytes.length;
    for (let back = 1; back <= 3 && back <= bytes.length; back++) {
      const byte = bytes[bytes.length - back]!;
      if ((byte & 0xc0) === 0x80) continue;
      if (byte >= 0xc0) {
        const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
        if (length > back) cut = bytes.length - back;
      }
      break;
    }
    this.#utf8Tail = Buffer.from(bytes.subarray(cut));
    bytes = bytes.subarray(0, cut);
    if (!isUtf8(bytes)) throw new InputRefusal('the file is not valid UTF-8');
  }

  #refuse(reason: string): never {
    throw new InputRefusal(reason, this.#line);
  }

  #scan(chunk: Buffer): void {
    const limits = this.#limits;
    const base = this.#offset;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === NL) this.#line++;
      else if (byte === 0) this.#refuse('the file holds a NUL byte');
      switch (this.#state) {
        case State.Text:
          if (byte === LT) {
            this.#state = State.Lt;
            this.#markupStart = base + i;
            this.#outsideText = 0;
          } else if (this.#depth === 0 && ++this.#outsideText > limits.maxMarkupBytes) {
            // A native xmllint holds the prolog's whitespace in memory, all of it.
            this.#refuse(`more than ${limits.maxMarkupBytes} bytes of text outside the root element`);
          } else if (byte === AMP) {
            this.#startReference(State.Text);
          }
          break;
        case State.Lt:
          if (byte === BANG) this.#state = State.LtBang;
          else if (byte === QUESTION) {
            this.#state = State.Pi;
            this.#dashes = 0;
          } else {
            this.#state = State.Tag;
            this.#isEndTag = byte === SLASH;
            this.#quote = 0;
            this.#lastTagByte = byte;
          }
          break;
        case State.LtBang:
          if (byte === DASH) this.#state = State.LtBangDash;
          else if (byte === BRACKET_OPEN) {
            this.#state = State.CdataOpen;
            this.#matched = 1;
          } else this.#refuse('the file has a DOCTYPE or another <! declaration; the hub reads none');
          break;
        case State.LtBangDash:
          if (byte !== DASH) this.#refuse('the file has a malformed <!- declaration');
          this.#state = State.Comment;
          this.#dashes = 0;
          break;
        case State.Comment:
          if (byte === DASH) this.#dashes++;
          else {
            if (byte === GT && this.#dashes >= 2) this.#state = State.Text;
            this.#dashes = 0;
          }
          break;
        case State.CdataOpen:
          if (byte !== cdataOpen[this.#matched]) {
            this.#refuse('the file has a DOCTYPE or another <! declaration; the hub reads none');
          }
          if (++this.#matched === cdataOpen.length) {
            this.#state = State.Cdata;
            this.#brackets = 0;
          }
          break;
        case State.Cdata:
          if (byte === BRACKET_CLOSE) this.#brackets++;
          else {
            if (byte === GT && this.#brackets >= 2) this.#state = State.Text;
            this.#brackets = 0;
          }
          break;
        case State.Pi:
          if (byte === GT && this.#dashes === 1) this.#state = State.Text;
          this.#dashes = byte === QUESTION ? 1 : 0;
          break;
        case State.Tag:
          if (this.#quote !== 0) {
            if (byte === this.#quote) this.#quote = 0;
            else if (byte === AMP) this.#startReference(State.Tag);
          } else if (byte === QUOTE || byte === APOSTROPHE) {
            this.#quote = byte;
          } else if (byte === GT) {
            this.#state = State.Text;
            this.#endTag(base + i);
          } else if (byte > 0x20) {
            this.#lastTagByte = byte;
          }
          break;
        case State.Reference:
          if (byte === SEMICOLON) {
            if (!allowedReference.test(this.#reference)) {
              this.#refuse(
                'the file uses an entity reference other than &amp; &lt; &gt; &quot; &apos; and character references; the hub resolves no entities',
              );
            }
            this.#state = this.#afterReference;
          } else if (this.#reference.length >= 10 || byte <= 0x20 || byte === LT || byte === AMP) {
            this.#refuse('the file has an & that starts no reference (write it as &amp;)');
          } else {
            this.#reference += String.fromCharCode(byte);
          }
          break;
      }
      if (this.#state !== State.Text && this.#state !== State.Reference) {
        if (base + i - this.#markupStart > limits.maxMarkupBytes) {
          this.#refuse(`one tag, comment or instruction is longer than ${limits.maxMarkupBytes} bytes`);
        }
      }
    }
    this.#offset += chunk.length;
    if (this.#recordStart !== -1 && this.#offset - this.#recordStart > limits.maxRecordBytes) {
      this.#refuse(`one record is larger than ${limits.maxRecordBytes} bytes`);
    }
  }

  #startReference(returnTo: State): void {
    this.#afterReference = returnTo;
    this.#state = State.Reference;
    this.#reference = '';
  }

  #endTag(offset: number): void {
    if (this.#isEndTag) {
      this.#depth = Math.max(0, this.#depth - 1);
      if (this.#depth <= 1) this.#recordStart = -1;
      return;
    }
    if (this.#lastTagByte === SLASH) return;
    this.#depth++;
    if (this.#depth === 2) this.#recordStart = this.#markupStart;
    if (this.#depth > this.#limits.maxDepth) {
      this.#refuse(`elements are nested deeper than ${this.#limits.maxDepth}`);
    }
    if (this.#recordStart !== -1 && offset - this.#recordStart > this.#limits.maxRecordBytes) {
      this.#refuse(`one record is larger than ${this.#limits.maxRecordBytes} bytes`);
    }
  }
}

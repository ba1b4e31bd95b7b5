/**
 * How much of an outside PIFU file the hub will look at, before any parser or validator does. Every
 * path that reads a file from outside (import, validate) runs its bytes through `InputGuard` first.
 */
export interface InputLimits {
  /** The file, in bytes. */
  readonly maxBytes: number;
  /** Reading and checking the whole file, in seconds. */
  readonly maxSeconds: number;
  /** Element nesting; PIFU needs 8. */
  readonly maxDepth: number;
  /** One tag, comment, processing instruction or CDATA section, in bytes; and text outside the root element. */
  readonly maxMarkupBytes: number;
  /** One child of the root (a person, group or membership), in bytes. */
  readonly maxRecordBytes: number;
}

export const defaultInputLimits: InputLimits = Object.freeze({
  maxBytes: 1024 * 1024 * 1024,
  maxSeconds: 900,
  maxDepth: 32,
  maxMarkupBytes: 1024 * 1024,
  maxRecordBytes: 16 * 1024 * 1024,
});

/** Why the guard stopped reading, and where; never a value from the file. */
export class InputRefusal extends Error {
  readonly line: number | undefined;

  constructor(reason: string, line?: number) {
    super(line === undefined ? reason : `${reason} (line ${line})`);
    this.name = 'InputRefusal';
    this.line = line;
  }
}

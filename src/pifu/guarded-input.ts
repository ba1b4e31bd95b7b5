import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { HubError } from '../errors/index.js';
import { InputGuard } from './input-guard.js';
import { InputRefusal, defaultInputLimits, type InputLimits } from './input-limits.js';

const chunkBytes = 1024 * 1024;

/** A refusal as the one line an operator sees: the file, the rule, the line; never a value from it. */
export function refusedInput(name: string, error: unknown): unknown {
  if (!(error instanceof InputRefusal)) return error;
  return new HubError('PIFU_FILE_REFUSED', `${name}: ${error.message}; nothing from it was used`, {
    cause: error,
  });
}

/** Passes byte chunks through a guard, holding back nothing once the encoding is known. */
export async function* guardChunks(
  chunks: AsyncIterable<Buffer>,
  guard: InputGuard,
  name: string,
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of chunks) {
      const passed = guard.check(chunk);
      if (passed.length > 0) yield passed;
    }
    const rest = guard.end();
    if (rest.length > 0) yield rest;
  } catch (error) {
    throw refusedInput(name, error);
  }
}

export interface GuardedFile {
  /** The size when opened. */
  readonly size: number;
  readonly guard: InputGuard;
  /** The file's bytes, checked by the guard; read once. Never more than the size limit is read. */
  chunks(): AsyncGenerator<Buffer>;
}

/**
 * Opens an outside file for reading through an InputGuard. Only a regular file is read (a device or
 * FIFO would never end), and one larger than the size limit is refused before a byte is read. The
 * check is made on the opened descriptor, so the file checked is the file read.
 */
export async function openGuardedFile(
  path: string,
  limits: InputLimits = defaultInputLimits,
): Promise<GuardedFile> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot read it';
    throw new HubError('PIFU_FILE_UNREADABLE', `${path}: ${why}; name a PIFU-IMS XML file`, { cause: error });
  }
  const info = await handle.stat();
  if (info.isDirectory()) {
    await handle.close();
    throw new HubError('PIFU_FILE_UNREADABLE', `${path}: a directory; name a PIFU-IMS XML file in it`);
  }
  if (!info.isFile()) {
    await handle.close();
    throw refusedInput(path, new InputRefusal('not a regular file (a device, FIFO or socket never ends)'));
  }
  if (info.size > limits.maxBytes) {
    await handle.close();
    throw refusedInput(
      path,
      new InputRefusal(`the file is larger than the limit of ${limits.maxBytes} bytes (${info.size} bytes)`),
    );
  }
  const guard = new InputGuard(limits);
  const file = handle;
  async function* raw(): AsyncGenerator<Buffer> {
    try {
      let total = 0;
      for (;;) {
        const buffer = Buffer.allocUnsafe(chunkBytes);
        const { bytesRead } = await file.read(buffer, 0, chunkBytes, null);
        if (bytesRead === 0) return;
        total += bytesRead;
        yield buffer.subarray(0, bytesRead);
        if (total > limits.maxBytes) return;
      }
    } finally {
      await file.close();
    }
  }
  return { size: info.size, guard, chunks: () => guardChunks(raw(), guard, path) };
}

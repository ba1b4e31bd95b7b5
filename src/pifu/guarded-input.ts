import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
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
 * A path named as a PIFU file that is not one the hub can read: nothing there, no permission, a
 * directory, or not a regular file (a device or FIFO would never end, a socket is no file). The same
 * code and words from `validate`, `import` and the drop folder, for the same kind of path.
 */
function unreadableFile(path: string, why: string, cause?: unknown): HubError {
  const name = why === 'a directory' ? 'name a PIFU-IMS XML file in it' : 'name a PIFU-IMS XML file';
  return new HubError(
    'PIFU_FILE_UNREADABLE',
    `${path}: ${why}; ${name}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Opens `path` for reading if it is a regular file; otherwise one PIFU_FILE_UNREADABLE line says why.
 * Non-blocking, so a FIFO without a writer does not wait for one; the check is made on the opened
 * descriptor, so the file checked is the file read.
 */
async function openInputFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : 'cannot read it';
    throw unreadableFile(path, why, error);
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw unreadableFile(
      path,
      info.isDirectory() ? 'a directory' : 'not a regular file (a device, FIFO or socket)',
    );
  }
  return { handle, size: info.size };
}

/** Whether `path` can be read as a PIFU file (as openGuardedFile would), reading none of it. */
export async function checkInputFile(path: string): Promise<void> {
  const { handle } = await openInputFile(path);
  await handle.close();
}

/**
 * Opens an outside file for reading through an InputGuard. Only a regular file is read (a device or
 * FIFO would never end: openInputFile), and one larger than the size limit is refused before a byte is
 * read.
 */
export async function openGuardedFile(
  path: string,
  limits: InputLimits = defaultInputLimits,
): Promise<GuardedFile> {
  const { handle, size } = await openInputFile(path);
  if (size > limits.maxBytes) {
    await handle.close();
    throw refusedInput(
      path,
      new InputRefusal(`the file is larger than the limit of ${limits.maxBytes} bytes (${size} bytes)`),
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
  return { size, guard, chunks: () => guardChunks(raw(), guard, path) };
}

import { existsSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { osUserActor, type Actor, type OperationContext } from '../../src/operations/index.js';
import { openRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';

/** Interactive commands log only warnings unless LOG_LEVEL says otherwise; workers log at info. */
export const quietEnv = (): NodeJS.ProcessEnv => ({ LOG_LEVEL: 'warn', ...process.env });

/** What a command gets: the operations' context, who is at the keyboard, and the runtime behind them. */
export interface CliSession {
  readonly ops: OperationContext;
  readonly actor: Actor;
  readonly runtime: Runtime;
}

/**
 * The OS user at the keyboard as an actor, with roles from the roles file (R4). Without one, the
 * embedded database grants every role — said once per data directory on stderr, so nobody mistakes a
 * demo for a production setup, without repeating it on every command — and PostgreSQL grants none.
 */
export function cliActor(runtime: Runtime): Actor {
  const { actor, demoMode } = osUserActor({
    user: userInfo().username,
    rolesFile: runtime.env.rolesFile,
    embedded: runtime.env.hubDatabase.kind === 'pglite',
  });
  const shown = join(runtime.env.dataDir, 'every-role-notice-shown');
  if (demoMode && !existsSync(shown)) {
    writeFileSync(shown, 'the embedded database grants every role while PIFU_HUB_ROLES_FILE is unset\n', {
      mode: 0o600,
    });
    process.stderr.write(
      'note: no roles file (PIFU_HUB_ROLES_FILE): every role is granted on the embedded demo database; ' +
        'production uses PostgreSQL and a roles file\n',
    );
  }
  return actor;
}

/** Opens the runtime for one command, hands it the session and always closes it. */
export async function withSession<T>(
  options: RuntimeOptions,
  use: (session: CliSession) => Promise<T>,
): Promise<T> {
  const runtime = await openRuntime({ env: quietEnv(), ...options });
  let actor: Actor | undefined;
  try {
    // The actor is made when a command first needs it (the dev tools' seed never does).
    return await use({
      ops: runtime.operations,
      get actor() {
        return (actor ??= cliActor(runtime));
      },
      runtime,
    });
  } finally {
    await runtime.close();
  }
}

/** Prints one JSON object per line (`--json`) or the formatted text. */
export function emit<T>(json: boolean, value: T | readonly T[], format: () => string): void {
  if (json) {
    for (const item of Array.isArray(value) ? (value as readonly T[]) : [value as T]) {
      console.log(JSON.stringify(item));
    }
    return;
  }
  console.log(format());
}

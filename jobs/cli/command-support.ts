import { userInfo } from 'node:os';
import { InvalidArgumentError } from 'commander';
import { loadRoleGrants, requireRole, type OperatorRole } from '../../src/config/index.js';
import { openRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';

/** Interactive commands log only warnings unless LOG_LEVEL says otherwise; workers log at info. */
export const quietEnv = (): NodeJS.ProcessEnv => ({ LOG_LEVEL: 'warn', ...process.env });

/** Opens the runtime for one command and always closes it. */
export async function withRuntime<T>(
  options: RuntimeOptions,
  use: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  const runtime = await openRuntime({ env: quietEnv(), ...options });
  try {
    return await use(runtime);
  } finally {
    await runtime.close();
  }
}

export const positiveInteger = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return parsed;
};

/** R4: the command's role, from the roles file (PIFU_HUB_ROLES_FILE); no file grants every role. */
export function authorize(runtime: Runtime, role: OperatorRole): void {
  requireRole(loadRoleGrants(runtime.env.rolesFile), userInfo().username, role);
}

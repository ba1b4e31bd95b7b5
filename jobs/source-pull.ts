import {
  createSftpSourceFetcher,
  readSourcePullConfig,
  type SourcePullConfig,
} from '../connectors/transports/sftp/index.js';
import type { HubEnvironment } from '../src/config/index.js';
import {
  pullSourceFile,
  type Actor,
  type LenientMode,
  type OperationContext,
  type SourcePullOutcome,
} from '../src/operations/index.js';

/** The configured source pull (PIFU_HUB_SOURCE_PULL_FILE), for `source pull` and the scheduler. */
export interface SourcePuller {
  readonly config: SourcePullConfig;
  /** The modes a pull uses: `--lenient` when given, else the config's `lenient`, else PIFU_HUB_IMPORT_LENIENT. */
  lenient(flag: readonly LenientMode[] | undefined): readonly LenientMode[];
  pull(
    ops: OperationContext,
    actor: Actor,
    flag: readonly LenientMode[] | undefined,
    signal?: AbortSignal,
  ): Promise<SourcePullOutcome>;
}

/** Undefined when PIFU_HUB_SOURCE_PULL_FILE is unset; a bad file is PIFU_CONFIG_INVALID naming it. */
export function configuredSourcePull(
  env: Pick<HubEnvironment, 'sourcePullFile' | 'secretsDir' | 'importLenient'>,
): SourcePuller | undefined {
  if (env.sourcePullFile === undefined) return undefined;
  const config = readSourcePullConfig(env.sourcePullFile, { secretsDir: env.secretsDir });
  const fetcher = createSftpSourceFetcher(config);
  const lenient = (flag: readonly LenientMode[] | undefined): readonly LenientMode[] =>
    flag ?? config.lenient ?? env.importLenient;
  return {
    config,
    lenient,
    pull: (ops, actor, flag, signal) =>
      pullSourceFile(
        ops,
        actor,
        { fetcher, dir: config.dropDir, lenient: lenient(flag), settleSeconds: config.settleSeconds },
        signal === undefined ? {} : { signal },
      ),
  };
}

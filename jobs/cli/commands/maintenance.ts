import { resolve } from 'node:path';
import type { Command } from 'commander';
import { migrateHubSchema, validateFeeds } from '../../../src/operations/index.js';
import { readConfiguration } from '../../runtime.js';
import { fileArguments } from '../cli-options.js';
import { emit, withSession } from '../cli-session.js';

/** `validate` (files against the XSD) and `migrate` (the hub schema). */
export function registerMaintenanceCommands(program: Command): void {
  program
    .command('validate')
    .description('check PIFU-IMS files against the official 1.3 XSD')
    .argument('<file...>', 'XML files to check', fileArguments)
    .option('--json', 'one JSON object per file', false)
    .action(async (files: string[], options: { json: boolean }) => {
      const { inputLimits } = readConfiguration().env;
      const results = await validateFeeds(
        files.map((file) => resolve(file)),
        { limits: inputLimits },
      );
      const invalid = results.filter((result) => !result.validation.valid).length;
      emit(
        options.json,
        results.map((result, index) => ({ file: files[index], ...result.validation })),
        () =>
          results
            .flatMap((result, index) => {
              const file = files[index];
              if (result.validation.valid) return [`${file}: valid`];
              const errors = result.validation.errors;
              return [
                `${file}: INVALID`,
                ...errors.slice(0, 20).map((error) => `  ${error}`),
                ...(errors.length > 20 ? [`  … ${errors.length - 20} more`] : []),
              ];
            })
            .join('\n'),
      );
      if (invalid > 0) process.exitCode = 1;
    });

  program
    .command('migrate')
    .description('create or update the hub schema')
    .option('--json', 'one JSON object: the migrations applied', false)
    .action(async (options: { json: boolean }) => {
      await withSession({}, async ({ ops, actor }) => {
        const applied = await migrateHubSchema(ops, actor);
        emit(options.json, { applied }, () =>
          applied.length === 0 ? 'the hub schema is up to date' : `applied ${applied.join(', ')}`,
        );
      });
    });
}

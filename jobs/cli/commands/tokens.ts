import { Option, type Command } from 'commander';
import {
  createApiToken,
  listApiTokens,
  operatorRoles,
  revokeApiToken,
  type ApiTokenRecord,
} from '../../../src/operations/index.js';
import { emit, withSession } from '../cli-session.js';
import { formatTable } from '../output.js';

/** `tokens create|list|revoke`: API tokens for operators and pull recipients (config-admin). */
export function registerTokenCommands(program: Command): void {
  const tokens = program.command('tokens').description('API tokens: create, list, revoke (config-admin)');

  tokens
    .command('create')
    .description(
      'make an API token with an operator role, or a pull token for one recipient; the token is printed once, as the last line',
    )
    .requiredOption(
      '--name <name>',
      "the token's name, shown in the audit trail as token:NAME (never reused)",
    )
    .addOption(new Option('--role <role>', 'the operator role it grants').choices(operatorRoles))
    .option('--recipient <id>', 'a pull recipient whose feeds it may fetch and acknowledge')
    .option('--json', 'one JSON object, the token included', false)
    .action(async (options: { name: string; role?: string; recipient?: string; json: boolean }) => {
      await withSession({}, async ({ ops, actor }) => {
        const created = await createApiToken(ops, actor, {
          name: options.name,
          ...(options.role === undefined ? {} : { role: options.role as (typeof operatorRoles)[number] }),
          ...(options.recipient === undefined ? {} : { recipient: options.recipient }),
        });
        emit(options.json, created, () =>
          [
            `token ${created.name} created: ${created.role === null ? `pull token for ${created.recipientId}` : `role ${created.role}`}`,
            'it is shown this once and stored only as a hash; keep it in a secret store',
            created.token,
          ].join('\n'),
        );
      });
    });

  tokens
    .command('list')
    .description('every token by name, its role or recipient, who made it, and whether it is revoked')
    .option('--json', 'one JSON object per token', false)
    .action(async (options: { json: boolean }) => {
      await withSession({}, async ({ ops, actor }) => {
        const records = await listApiTokens(ops, actor);
        emit(options.json, records, () => (records.length === 0 ? 'no tokens' : formatTokens(records)));
      });
    });

  tokens
    .command('revoke')
    .description('revoke a token: from its next request on it signs nobody in')
    .argument('<name>', 'the token name (see `pifu-hub tokens list`)')
    .option('--json', 'one JSON object', false)
    .action(async (name: string, options: { json: boolean }) => {
      await withSession({}, async ({ ops, actor }) => {
        const result = await revokeApiToken(ops, actor, { name });
        emit(options.json, result, () =>
          result.alreadyRevoked ? `token ${name} was already revoked` : `token ${name} revoked`,
        );
      });
    });
}

function formatTokens(records: readonly ApiTokenRecord[]): string {
  return formatTable(
    ['name', 'grants', 'created', 'by', 'revoked'],
    records.map((record) => [
      record.name,
      record.role ?? `pull ${record.recipientId ?? '-'}`,
      record.createdAt.toISOString(),
      record.createdBy,
      record.revokedAt === null ? '-' : `${record.revokedAt.toISOString()} by ${record.revokedBy ?? '-'}`,
    ]),
  );
}

export { environmentVariables, readEnvironment, type HubEnvironment } from './environment.js';
export { loadRoleGrants, requireRole, type OperatorRole } from './operator-roles.js';
export {
  loadRecipientConfigs,
  parseRecipientConfig,
  parseRecipientFiles,
  eeaCountries,
  recipientConfigSchema,
  type RecipientConfig,
} from './recipient-config.js';
export {
  describeSecretSource,
  readSecret,
  secretSourceHint,
  secretSourceSchema,
  unknownKeysRefusal,
  type SecretSource,
} from './secret-source.js';

export {
  environmentVariables,
  readEnvironment,
  type EnvironmentVariable,
  type HubEnvironment,
} from './environment.js';
export {
  loadRoleGrants,
  operatorRoles,
  requireRole,
  type OperatorRole,
  type RoleGrants,
} from './operator-roles.js';
export {
  loadRecipientConfigs,
  parseRecipientConfig,
  parseRecipientFiles,
  eeaCountries,
  recipientConfigSchema,
  type RecipientConfig,
  type RecipientConfigFile,
} from './recipient-config.js';
export {
  describeSecretSource,
  readSecret,
  secretSourceHint,
  secretSourceSchema,
  unknownKeysRefusal,
  type SecretSource,
} from './secret-source.js';
export { requireSharedServices } from './shared-services.js';

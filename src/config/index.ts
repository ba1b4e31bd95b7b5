export {
  configPathSchema,
  configPlaceProblems,
  dropDirectoryProblem,
  secretFileProblem,
  type ConfigPathRules,
  type ConfigPlaces,
} from './config-paths.js';
export { eeaCountries } from './eea-countries.js';
export { environmentVariables, secretVariables } from './environment-variables.js';
export { readEnvironment, type HubEnvironment, type NotificationSettings } from './environment.js';
export { loadRoleGrants, operatorRoles, resolveOperatorRoles, type OperatorRole } from './operator-roles.js';
export { parseJsonText, readJsonFile } from './read-json-file.js';
export { parseRecipientConfig, recipientConfigSchema, type RecipientConfig } from './recipient-config.js';
export {
  checkRecipientFiles,
  checkRecipientText,
  loadRecipientConfigs,
  parseRecipientFiles,
  type RecipientChecks,
  type RecipientFileResult,
} from './recipient-files.js';
export {
  describeSecretSource,
  readSecret,
  secretSourceHint,
  secretSourceSchema,
  unknownKeysRefusal,
  type SecretSource,
} from './secret-source.js';
export { defaultSourceDropLimits, type SourceDropLimits } from './source-drop-limits.js';
export { requireSharedServices } from './shared-services.js';

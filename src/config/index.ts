export {
  configPathSchema,
  configPlaceProblems,
  dropDirectoryProblem,
  secretFileProblem,
  systemDirectories,
  type ConfigPathRules,
  type ConfigPlaces,
} from './config-paths.js';
export { eeaCountries } from './eea-countries.js';
export {
  environmentVariables,
  readEnvironment,
  type EnvironmentVariable,
  type HubEnvironment,
} from './environment.js';
export {
  loadRoleGrants,
  operatorRoles,
  resolveOperatorRoles,
  type OperatorRole,
  type RoleGrants,
  type RoleResolution,
} from './operator-roles.js';
export { parseJsonText, readJsonFile, type JsonProblem, type JsonReading } from './read-json-file.js';
export {
  parseRecipientConfig,
  recipientConfigSchema,
  type RecipientConfig,
  type RecipientConfigFile,
} from './recipient-config.js';
export {
  checkRecipientFiles,
  checkRecipientText,
  loadRecipientConfigs,
  parseRecipientFiles,
  recipientFilesIn,
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

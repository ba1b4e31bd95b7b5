export {
  environmentVariables,
  readEnvironment,
  type EnvironmentVariable,
  type HubEnvironment,
} from './environment.js';
export {
  loadRecipientConfigs,
  parseRecipientConfig,
  parseRecipientFiles,
  eeaCountries,
  recipientConfigSchema,
  type RecipientConfig,
  type RecipientConfigFile,
} from './recipient-config.js';

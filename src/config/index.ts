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
  recipientConfigSchema,
  recipientKinds,
  type RecipientConfig,
  type RecipientKind,
} from './recipient-config.js';

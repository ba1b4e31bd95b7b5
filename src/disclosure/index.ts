export {
  DisclosureManifestWriter,
  disclosureManifestFiles,
  disclosureManifestPaths,
  missingDisclosureManifest,
  openDisclosureManifest,
  readDisclosureManifest,
  type DisclosureLine,
  type DisclosureManifest,
} from './disclosure-manifest.js';
export { recordDisclosures } from './disclosure-register.js';
export { reduceDisclosureTransfers, transfersNamingPersonsBefore } from './disclosure-retention.js';
export {
  listPersonDisclosures,
  personDisclosuresQuery,
  type DisclosureAnswer,
} from './person-disclosures.js';
export { groupCategories, type DisclosureGroup, type GroupedCategories } from './category-groups.js';

export {
  disclosureManifestPath,
  formatDisclosureLine,
  readDisclosureManifest,
  type DisclosureLine,
} from './disclosure-manifest.js';
export { insertDisclosures, listPersonDisclosures, type DisclosureAnswer } from './disclosure-repository.js';
export { groupCategories, type DisclosureGroup, type GroupedCategories } from './category-groups.js';

export { forgetPerson, forgottenPersons } from './forget-person.js';
export { findOverdueHoldings, type OverdueHolding } from './retention.js';
export {
  allRecipients,
  holdersAmong,
  liftRestrictions,
  listRestrictions,
  restrictPerson,
  restrictedPersons,
  restrictionsChangedSince,
  type RestrictionRecord,
} from './restrictions.js';

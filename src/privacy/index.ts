export { forgetPerson, forgottenPersons } from './forget-person.js';
export { findOverdueHoldings, inactiveSince, type OverdueHolding } from './retention.js';
export { allRecipients, restrictedPersons, restrictionsChangedSince } from './restrictions.js';

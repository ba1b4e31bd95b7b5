export { forgetPerson, forgottenPersons } from './forget-person.js';
export { findOverdueHoldings, type OverdueHolding } from './retention.js';

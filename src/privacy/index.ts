export { forgetPerson, forgottenPersons, listAudit, recordAudit } from './forget-person.js';
export { findOverdueHoldings } from './retention.js';

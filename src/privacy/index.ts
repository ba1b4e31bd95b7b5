export { forgetPerson, forgottenPersons, listAudit, recordAudit, type AuditEntry } from './forget-person.js';
export { findOverdueHoldings, inactiveSince, type OverdueHolding } from './retention.js';

export { forgetPerson, forgottenPersons, listAudit, recordAudit, type AuditEntry } from './forget-person.js';

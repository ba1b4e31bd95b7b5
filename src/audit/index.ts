export { type AuditAction, type AuditRecord } from './audit-entry.js';
export { listAudit, recordAudit } from './audit-repository.js';
export { maskTypedIdentityNumber } from './typed-identity-number.js';

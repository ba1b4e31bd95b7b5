export {
  auditActions,
  type AuditAction,
  type AuditEntry,
  type AuditOutcome,
  type AuditRecord,
} from './audit-entry.js';
export { listAudit, recordAudit } from './audit-repository.js';
export { hubSecret } from './hub-secret.js';
export { maskTypedIdentityNumber } from './typed-identity-number.js';

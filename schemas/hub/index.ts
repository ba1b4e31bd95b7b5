import type { Migration } from 'kysely';
import * as initial from './0001-initial.js';
import * as profiles from './0002-profiles.js';
import * as deliveredState from './0003-delivered-state.js';
import * as forgetAndAudit from './0004-forget-and-audit.js';
import * as auditOutcome from './0005-audit-outcome.js';
import * as snapshotCounts from './0006-snapshot-counts.js';
import * as feedBase from './0007-feed-base.js';
import * as runOwner from './0008-run-owner.js';
import * as apiTokensAndPull from './0009-api-tokens-and-pull.js';
import * as privacy from './0010-privacy.js';
import * as sourceIdentity from './0011-source-identity.js';
import * as disclosureSpans from './0012-disclosure-spans.js';
import * as notifications from './0013-notifications.js';
import * as sourcePull from './0015-source-pull.js';
import * as sourceMarker from './0016-source-marker.js';
import * as importBase from './0017-import-base.js';
import * as personInputHash from './0018-person-input-hash.js';
import * as sourceIdentityDatasource from './0019-source-identity-datasource.js';
import * as groupIdentityDatasource from './0020-group-identity-datasource.js';
import * as stateViewBasis from './0021-state-view-basis.js';
import * as registerWithoutTransferChecks from './0022-register-without-transfer-checks.js';
import * as registerKeysByteOrder from './0023-register-keys-byte-order.js';
import * as registerLookupByRecipient from './0024-register-lookup-by-recipient.js';
import * as fullRowsInSpans from './0025-full-rows-in-spans.js';

/** The hub schema's migrations, in order. Forward-only: a shipped migration is never edited. */
export const hubMigrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-profiles': profiles,
  '0003-delivered-state': deliveredState,
  '0004-forget-and-audit': forgetAndAudit,
  '0005-audit-outcome': auditOutcome,
  '0006-snapshot-counts': snapshotCounts,
  '0007-feed-base': feedBase,
  '0008-run-owner': runOwner,
  '0009-api-tokens-and-pull': apiTokensAndPull,
  '0010-privacy': privacy,
  '0011-source-identity': sourceIdentity,
  '0012-disclosure-spans': disclosureSpans,
  '0013-notifications': notifications,
  '0015-source-pull': sourcePull,
  '0016-source-marker': sourceMarker,
  '0017-import-base': importBase,
  '0018-person-input-hash': personInputHash,
  '0019-source-identity-datasource': sourceIdentityDatasource,
  '0020-group-identity-datasource': groupIdentityDatasource,
  '0021-state-view-basis': stateViewBasis,
  '0022-register-without-transfer-checks': registerWithoutTransferChecks,
  '0023-register-keys-byte-order': registerKeysByteOrder,
  '0024-register-lookup-by-recipient': registerLookupByRecipient,
  '0025-full-rows-in-spans': fullRowsInSpans,
};

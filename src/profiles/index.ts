export { kindDefaults, recipientKinds, type RecipientKind } from './kind-defaults.js';
export { guardianPolicies, listKeys, profileKeys, pupilScopes, type Profile } from './profile.js';
export { resolveProfile, type ProfileOverride, type ProfileSettings } from './resolve-profile.js';
export {
  viewThroughProfile,
  type DisclosedMembership,
  type DisclosedPerson,
  type RecipientView,
  type ViewedPerson,
  type ViewOptions,
} from './recipient-view.js';
export { personScopeOf, SharedPersonScopes, type PersonScopePass } from './shared-person-scopes.js';
export { pseudonymFingerprint, pseudonymFor } from './pseudonym.js';
export { isMinorOn } from './scope-dates.js';

export { GroupScope, groupScopeOf } from './group-scope.js';
export { viewCode } from './person-inputs.js';
export * from './vocabulary.js';
export { allowedFor } from './project.js';

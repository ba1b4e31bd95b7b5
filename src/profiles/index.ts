export { kindDefaults, recipientKinds, type RecipientKind } from './kind-defaults.js';
export {
  guardianPolicies,
  listKeys,
  profileKeys,
  pupilScopes,
  type DateWindow,
  type GuardianPolicy,
  type ListKey,
  type Profile,
  type ProfileGroupType,
  type PupilScope,
} from './profile.js';
export {
  resolveProfile,
  type ProfileOverride,
  type ProfileProblem,
  type ProfileSettings,
  type ResolvedProfile,
} from './resolve-profile.js';
export {
  viewThroughProfile,
  type DisclosedMembership,
  type DisclosedPerson,
  type RecipientView,
  type ViewOptions,
} from './recipient-view.js';
export { pseudonymFingerprint, pseudonymFor } from './pseudonym.js';
export { isMinorOn } from './recipient-scope.js';
export * from './vocabulary.js';
export { allowedFor } from './project.js';

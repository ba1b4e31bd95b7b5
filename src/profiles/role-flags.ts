import type { PersonRole, PersonRoles } from './project.js';

/**
 * A person's roles in one recipient's scope as one small number (RecipientScope keeps one per person in
 * scope): 1 pupil, 2 staff, 4 guardian, 16 leaver; 8 marks a guardian candidate while the scope is built.
 */
export const pupilFlag = 1;
export const staffFlag = 2;
export const guardianFlag = 4;
/** A pupil who left, kept (closed) by a `leavers: close` recipient. */
export const leaverFlag = 16;
/** Seen as a guardian who may be sent if an in-scope pupil asks for them; cleared by closePersons. */
export const candidateFlag = 8;

const noRoles: PersonRoles = new Set();
const pupilOnly: PersonRoles = new Set(['pupil']);
const staffOnly: PersonRoles = new Set(['staff']);
const pupilAndStaff: PersonRoles = new Set(['pupil', 'staff']);
const guardianOnly: PersonRoles = new Set(['guardian']);

const sharedRoles: readonly PersonRoles[] = [noRoles, pupilOnly, staffOnly, pupilAndStaff, guardianOnly];

/** Shared role sets, so a roster's worth of persons costs one small number each, not one Set each. */
export function rolesFrom(flags: number): PersonRoles {
  const known = sharedRoles[flags];
  if (known !== undefined) return known;
  const roles = new Set<PersonRole>();
  if (flags & pupilFlag) roles.add('pupil');
  if (flags & staffFlag) roles.add('staff');
  if (flags & guardianFlag) roles.add('guardian');
  if (flags & leaverFlag) roles.add('leaver');
  return roles;
}

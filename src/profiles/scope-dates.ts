import type { DateWindow } from './profile.js';

/** Whether [begin, end] meets the profile's date window (open ends meet everything). */
export function overlaps(
  begin: string | undefined,
  end: string | undefined,
  window: DateWindow | undefined,
): boolean {
  if (window === undefined) return true;
  if (window.from !== undefined && end !== undefined && end < window.from) return false;
  if (window.to !== undefined && begin !== undefined && begin > window.to) return false;
  return true;
}

/** Whether [begin, end] holds the day `on`. */
export function current(begin: string | undefined, end: string | undefined, on: string): boolean {
  return (begin === undefined || begin <= on) && (end === undefined || end >= on);
}

/** True while the person is under 18 on `on`; false when the birth date is unknown (R8: no links then). */
export function isMinorOn(birthDate: string | undefined, on: string): boolean {
  if (birthDate === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return false;
  const adultFrom = `${String(Number(birthDate.slice(0, 4)) + 18).padStart(4, '0')}${birthDate.slice(4)}`;
  return on < adultFrom;
}

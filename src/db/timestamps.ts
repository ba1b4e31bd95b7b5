/** A nullable timestamp column as a Date (the embedded database may hand back strings). */
export const toDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

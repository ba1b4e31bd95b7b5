import { childText, type XmlNode } from './xml-node.js';

/** A sourcedid of a record that names a source other than the file's `properties/datasource`. */
export interface ForeignSourcedid {
  /** The record it is in: `person`, `group` or `membership`. */
  readonly record: string;
  /** Whose sourcedid it is, in words (the record's own, a member's, a related group's…): never a value. */
  readonly which: string;
  /** The sourcedid's id (a value from the file: the caller masks it as any id). */
  readonly id: string;
  readonly line: number;
}

/** Whose sourcedid it is, by the element that holds it (spec 2.2–2.4). */
const holders: Readonly<Record<string, string>> = {
  person: "the person's own",
  group: "the group's own",
  membership: "the membership's group",
  member: "a member's",
  relationship: "a related group's",
  pifu_hasContactPerson: "a contact person's",
};

/**
 * The sourcedids in a record (at any depth: its own, a membership's members, a group's relationships, a
 * person's contact persons) whose `source` is not `datasource` (spec 2.5 row 5.6: `source` should equal
 * the feed's `datasource`, and the pair of source and id is what identifies an object). Said per
 * sourcedid, with the record's line; without a source at all is not the datasource either.
 */
export function foreignSourcedids(
  node: XmlNode,
  record: string,
  datasource: string,
  line: number,
): ForeignSourcedid[] {
  const found: ForeignSourcedid[] = [];
  const expected = datasource.trim();
  const visit = (element: XmlNode, name: string): void => {
    for (const [key, value] of Object.entries(element)) {
      if (!Array.isArray(value)) continue;
      for (const inner of value) {
        if (key !== 'sourcedid') {
          visit(inner, key);
          continue;
        }
        if (childText(inner, 'source')?.trim() === expected) continue;
        const which = holders[name] ?? `a ${name.slice(0, 32)}'s`;
        found.push({ record, which, id: childText(inner, 'id') ?? '', line });
      }
    }
  };
  visit(node, record);
  return found;
}

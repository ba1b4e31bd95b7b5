import { readFileSync } from 'node:fs';
import { parse, type MemberNode, type ValueNode } from '@humanwhocodes/momoa';

/**
 * The one JSON reader for config files (recipients, roles). `JSON.parse` silently keeps the last of two
 * equal keys, so a file can say one thing to its reviewer and another to the hub, and it turns a
 * `__proto__` key into a prototype, which then surfaces as a garbled validation message. This reader
 * refuses both, naming the key, where it is and (for a duplicate) where the first one is.
 *
 * Parsing is @humanwhocodes/momoa's strict JSON mode (the parser behind ESLint's JSON support): it gives
 * every key with its line and column, which a reviver-based check on `JSON.parse` cannot.
 */

/** One problem, with the path of the object it is in (`transport`, `profile.fields.1`, `(root)`). */
export interface JsonProblem {
  readonly path: string;
  readonly message: string;
}

export type JsonReading =
  | { readonly value: unknown; readonly problems: readonly [] }
  | { readonly value?: undefined; readonly problems: readonly JsonProblem[] };

/** Keys that reach an object's prototype machinery; no config key is spelt like them. */
const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

/** Reads and parses a JSON config file; a missing or unreadable file is a problem, not a throw. */
export function readJsonFile(path: string): JsonReading {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'a directory, not a file'
          : `cannot read it (${code ?? 'unknown error'})`;
    return { problems: [{ path: '(root)', message: reason }] };
  }
  return parseJsonText(text);
}

/** Parses JSON text, refusing duplicate keys and `__proto__` / `constructor` / `prototype`. */
export function parseJsonText(text: string): JsonReading {
  let root: ValueNode;
  try {
    root = parse(text, { mode: 'json' }).body;
  } catch (error) {
    return {
      problems: [
        {
          path: '(root)',
          message: `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
        },
      ],
    };
  }
  const problems: JsonProblem[] = [];
  const value = evaluate(root, [], problems);
  return problems.length === 0 ? { value, problems: [] } : { problems };
}

function evaluate(node: ValueNode, path: readonly (string | number)[], problems: JsonProblem[]): unknown {
  switch (node.type) {
    case 'Object': {
      const object: Record<string, unknown> = {};
      const first = new Map<string, MemberNode>();
      for (const member of node.members) {
        const key = member.name.type === 'String' ? member.name.value : member.name.name;
        const where = pathText(path);
        if (forbiddenKeys.has(key)) {
          problems.push({
            path: where,
            message: `the key "${key}" (${position(member)}) is not allowed in a config file; remove it`,
          });
          continue;
        }
        const earlier = first.get(key);
        if (earlier !== undefined) {
          problems.push({
            path: where,
            message: `duplicate key "${key}" (${position(member)}; first at ${position(earlier)}): keep one`,
          });
          continue;
        }
        first.set(key, member);
        object[key] = evaluate(member.value, [...path, key], problems);
      }
      return object;
    }
    case 'Array':
      return node.elements.map((element, index) => evaluate(element.value, [...path, index], problems));
    case 'String':
    case 'Number':
    case 'Boolean':
      return node.value;
    case 'Null':
      return null;
    default:
      // JSON mode never yields identifiers, NaN or Infinity; refuse rather than guess if it ever did.
      problems.push({ path: pathText(path), message: `not valid JSON (${node.type} at ${position(node)})` });
      return undefined;
  }
}

function pathText(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(root)' : path.join('.');
}

function position(node: ValueNode | MemberNode): string {
  return `line ${node.loc.start.line}, column ${node.loc.start.column}`;
}

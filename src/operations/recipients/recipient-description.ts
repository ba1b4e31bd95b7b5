import type { RecipientConfig } from '../../config/index.js';
import {
  allowedFor,
  fieldKeys,
  idTypeNames,
  kindDefaults,
  listKeys,
  profileKeys,
  type FieldKey,
  type Profile,
} from '../../profiles/index.js';

/**
 * What operators and the privacy declaration see of recipient configs and their effective profiles, as
 * plain data: faces format it as tables or JSON. Pure, no I/O.
 */
export type Population = 'pupil' | 'staff' | 'guardian';

/** What a recipient receives of the persons of one population: effective field keys and id types. */
export interface PopulationDisclosure {
  readonly population: Population;
  /** Field keys in canonical order; `pseudonym` stands in for `name` when names are withheld. */
  readonly fields: readonly string[];
  readonly idTypes: readonly string[];
}

const inOrder = <T extends string>(order: readonly T[], values: Iterable<T>): T[] => {
  const set = new Set(values);
  return order.filter((value) => set.has(value));
};

/**
 * Per population the recipient receives, what it receives of each person: the profile's lists after
 * the projection's own rules (pseudonymised: no names, dates, contact data or ids). A person with a
 * protected address gets less (R9); this is the most any one person of that population discloses.
 */
export function populationDisclosures(profile: Profile): PopulationDisclosure[] {
  const populations: Population[] = [...profile.populations];
  if (profile.guardians !== 'none') populations.push('guardian');
  return populations.map((population) => {
    const allowed = allowedFor({ addressProtection: 'none' }, new Set([population]), profile);
    const fields = new Set<FieldKey>(allowed.fields);
    // A pupil's record carries the links to the guardians sent with it (project.ts).
    if (
      population === 'pupil' &&
      profile.guardians !== 'none' &&
      profile.guardianFields.includes('guardianLinks')
    )
      fields.add('guardianLinks');
    return {
      population,
      fields: [...(fields.has('name') ? [] : ['pseudonym']), ...inOrder(fieldKeys, fields)],
      idTypes: inOrder(idTypeNames, allowed.idTypes),
    };
  });
}

/** A recipient as one row of `recipients list`. */
export interface RecipientSummary {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly country: string;
  readonly dpaReference: string;
  readonly transport: string;
  readonly populations: readonly string[];
  readonly guardians: string;
  readonly pseudonymised: boolean;
  readonly override: boolean;
  readonly widenings: readonly string[];
  readonly relaysTo: readonly string[];
  readonly receives: readonly PopulationDisclosure[];
}

export function summariseRecipient(config: RecipientConfig): RecipientSummary {
  const profile = config.resolvedProfile;
  return {
    id: config.id,
    kind: config.kind,
    name: config.name,
    country: config.processing.country,
    dpaReference: config.processing.dpaReference,
    transport: config.transport.kind,
    populations: [...profile.populations],
    guardians: profile.guardians,
    pseudonymised: profile.pseudonymise,
    override: config.override !== undefined,
    widenings: [...config.widenings],
    relaysTo: [...(config.relaysTo ?? [])],
    receives: populationDisclosures(profile),
  };
}

/** How a profile key compares with the kind's default. */
export type KeyChange = 'narrowed' | 'widened' | 'narrowed and widened';

/**
 * Which keys of the effective profile differ from the kind's default, and how: narrowing is what the
 * config's `profile` may do; widening only comes from an `override`.
 */
export function changesFromDefault(config: RecipientConfig): Partial<Record<keyof Profile, KeyChange>> {
  const defaults = kindDefaults[config.kind];
  const profile = config.resolvedProfile;
  const changes: Partial<Record<keyof Profile, KeyChange>> = {};
  for (const key of profileKeys) {
    let narrowed = false;
    let widened = false;
    if ((listKeys as readonly string[]).includes(key)) {
      const effective = profile[key] as readonly string[];
      const base = defaults[key] as readonly string[];
      narrowed = base.some((value) => !effective.includes(value));
      widened = effective.some((value) => !base.includes(value));
    } else if (JSON.stringify(profile[key]) !== JSON.stringify(defaults[key])) {
      widened = config.widenings.some((widening) => widening.startsWith(`${key}=`));
      narrowed = !widened;
    }
    if (narrowed || widened)
      changes[key] = narrowed && widened ? 'narrowed and widened' : narrowed ? 'narrowed' : 'widened';
  }
  return changes;
}

/** Where a pseudonymised recipient's key comes from, never the key itself. */
export function describePseudonymKey(config: RecipientConfig): string | null {
  const source = config.pseudonymKey;
  if (source !== undefined) return 'env' in source ? `env:${source.env}` : `file:${source.file}`;
  return config.resolvedProfile.pseudonymise ? 'generated (kept in the hub database)' : null;
}

/** `recipients show`: everything about one recipient an operator or privacy officer reviews, no secrets. */
export interface RecipientDescription {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly purpose: string;
  readonly legalBasis: string;
  readonly processing: { readonly country: string; readonly eea: true; readonly dpaReference: string };
  readonly contact: { readonly name: string; readonly email: string; readonly phone?: string };
  readonly relaysTo: readonly string[];
  readonly schedule: { readonly full?: string; readonly delta?: string };
  /** Feed types accepted, heartbeat, the delta safety limits and freeze windows. */
  readonly feed: RecipientConfig['feed'];
  readonly transport: { readonly kind: string };
  readonly pseudonymKey: string | null;
  readonly override: { readonly reason: string; readonly widenings: readonly string[] } | null;
  readonly profile: Profile;
  readonly changedFromDefault: Partial<Record<keyof Profile, KeyChange>>;
  readonly receives: readonly PopulationDisclosure[];
}

export function describeRecipient(config: RecipientConfig): RecipientDescription {
  return {
    id: config.id,
    name: config.name,
    kind: config.kind,
    purpose: config.purpose,
    legalBasis: config.legalBasis,
    // The config schema refuses any country outside the EU/EEA (R6).
    processing: {
      country: config.processing.country,
      eea: true,
      dpaReference: config.processing.dpaReference,
    },
    contact: { ...config.contact },
    relaysTo: [...(config.relaysTo ?? [])],
    schedule: { ...config.schedule },
    feed: config.feed,
    transport: { kind: config.transport.kind },
    pseudonymKey: describePseudonymKey(config),
    override:
      config.override === undefined
        ? null
        : { reason: config.override.reason, widenings: [...config.widenings] },
    profile: config.resolvedProfile,
    changedFromDefault: changesFromDefault(config),
    receives: populationDisclosures(config.resolvedProfile),
  };
}

/** Freeze windows as `from..to` (with the reason when given), for diffs and `recipients show`. */
export function freezeWindows(config: Pick<RecipientConfig, 'feed'>): string[] {
  return (config.feed?.freeze ?? []).map(
    (window) => `${window.from}..${window.to}${window.reason === undefined ? '' : ` (${window.reason})`}`,
  );
}

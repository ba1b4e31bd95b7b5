/**
 * The words of the reports a person or the public reads, in plain bokmål and English. Categories are
 * named for what they are to a reader ("School e-mail address"), never by the hub's field keys.
 */
export type ReportLanguage = 'nb' | 'en';
export const reportLanguages: readonly ReportLanguage[] = ['nb', 'en'];

type Texts = Readonly<Record<ReportLanguage, string>>;

const categoryTexts: Readonly<Record<string, Texts>> = {
  name: { nb: 'Navn', en: 'Name' },
  pseudonym: { nb: 'Et pseudonym i stedet for navnet ditt', en: 'A pseudonym instead of your name' },
  bday: { nb: 'Fødselsdato', en: 'Date of birth' },
  gender: { nb: 'Kjønn', en: 'Gender' },
  status: { nb: 'Om du er aktiv elev eller ansatt', en: 'Whether you are an active pupil or employee' },
  lang: { nb: 'Målform (bokmål eller nynorsk)', en: 'Written standard (bokmål or nynorsk)' },
  'email.org': { nb: 'E-postadresse fra skolen', en: 'School e-mail address' },
  'email.private': { nb: 'Privat e-postadresse', en: 'Private e-mail address' },
  'tel.private': { nb: 'Privat telefonnummer', en: 'Private telephone number' },
  'mobile.private': { nb: 'Privat mobilnummer', en: 'Private mobile number' },
  'tel.org': { nb: 'Telefonnummer på jobb', en: 'Work telephone number' },
  'mobile.org': { nb: 'Mobilnummer på jobb', en: 'Work mobile number' },
  'adr.registered': { nb: 'Folkeregistrert adresse', en: 'Address in the National Population Register' },
  'adr.postal': { nb: 'Postadresse', en: 'Postal address' },
  guardianLinks: {
    nb: 'Hvem som er foresatt for hvilken elev',
    en: 'Which guardian belongs to which pupil',
  },
  memberships: { nb: 'Klasser og grupper du er med i', en: 'Classes and groups you belong to' },
  'id:personNIN': { nb: 'Fødselsnummer', en: 'National identity number' },
  'id:personLIN': { nb: 'Lokalt tildelt nummer', en: 'Locally issued number' },
  'id:personFIN': { nb: 'VIGO-nummer', en: 'VIGO number' },
  'id:studentID': { nb: 'Elevnummer', en: 'Pupil number' },
  'id:workforceID': { nb: 'Ansattnummer', en: 'Employee number' },
  'id:username': { nb: 'Brukernavn', en: 'User name' },
  'id:sisID': { nb: 'Nummer i skolens elevsystem', en: "Number in the school's records system" },
  'id:feideID': { nb: 'Feide-brukernavn', en: 'Feide user name' },
  'id:microsoftUPN': { nb: 'Microsoft-brukernavn', en: 'Microsoft user name' },
};

/** A disclosure category (`name`, `id:feideID`, `memberships`) in words. */
export function categoryLabel(category: string, lang: ReportLanguage): string {
  const known = categoryTexts[category];
  if (known !== undefined) return known[lang];
  return category.startsWith('id:')
    ? `${lang === 'nb' ? 'Identifikator' : 'Identifier'} (${category.slice(3)})`
    : category;
}

const populationTexts: Readonly<Record<string, Texts>> = {
  pupil: { nb: 'Elever', en: 'Pupils' },
  staff: { nb: 'Ansatte', en: 'Staff' },
  guardian: { nb: 'Foresatte', en: 'Guardians' },
};

export function populationLabel(population: string, lang: ReportLanguage): string {
  return populationTexts[population]?.[lang] ?? population;
}

/** One person's standing in a population, as the access report says "registered as …". */
const roleTexts: Readonly<Record<string, Texts>> = {
  pupil: { nb: 'elev', en: 'pupil' },
  staff: { nb: 'ansatt', en: 'member of staff' },
  guardian: { nb: 'foresatt', en: 'guardian' },
};

export function personRoleLabel(population: string, lang: ReportLanguage): string {
  return roleTexts[population]?.[lang] ?? population;
}

/** Dates as a reader writes them: 27.11.2026 / 27 Nov 2026, in Norwegian time. */
export function formatDay(date: Date, lang: ReportLanguage): string {
  return new Intl.DateTimeFormat(lang === 'nb' ? 'nb-NO' : 'en-GB', {
    timeZone: 'Europe/Oslo',
    day: 'numeric',
    month: lang === 'nb' ? '2-digit' : 'short',
    year: 'numeric',
  }).format(date);
}

const countryNames = new Intl.DisplayNames(['nb'], { type: 'region' });
const countryNamesEn = new Intl.DisplayNames(['en'], { type: 'region' });

export function countryLabel(code: string | null, lang: ReportLanguage): string {
  if (code === null) return lang === 'nb' ? 'ukjent' : 'unknown';
  return (lang === 'nb' ? countryNames : countryNamesEn).of(code) ?? code;
}

/** The fixed sentences of the access report. */
export const accessTexts = {
  title: {
    nb: 'Innsyn: hva pifu-hub har om deg, og hvem som har fått det',
    en: 'Your data: what pifu-hub holds about you, and who received it',
  },
  intro: {
    nb: 'pifu-hub sender opplysninger fra skolens elev- og ansattsystem videre til systemene skolen bruker. Dette er svaret på innsynskravet ditt etter personvernforordningen artikkel 15.',
    en: "pifu-hub passes data from the school's pupil and staff records on to the systems the school uses. This is the answer to your access request under Article 15 of the GDPR.",
  },
  person: { nb: 'Person (nøkkel i skolesystemet)', en: 'Person (key in the school system)' },
  generated: { nb: 'Laget', en: 'Made' },
  sourceHeading: { nb: 'Hva skolesystemet har om deg', en: 'What the school system holds about you' },
  sourceIntro: {
    nb: 'pifu-hub leser disse opplysningene fra skolesystemet, men lagrer dem ikke selv.',
    en: 'pifu-hub reads this data from the school system but does not store it itself.',
  },
  sourceAbsent: {
    nb: 'Skolesystemet har ingen opplysninger om deg nå.',
    en: 'The school system holds no data about you now.',
  },
  valuesHeading: { nb: 'Opplysningene', en: 'The data' },
  hubHeading: { nb: 'Hva pifu-hub selv lagrer', en: 'What pifu-hub itself keeps' },
  hubIntro: {
    nb: 'pifu-hub lagrer ikke verdiene (som navn eller adresse), bare hvem som fikk hvilke typer opplysninger og når.',
    en: 'pifu-hub does not keep the values (such as your name or address), only who received which kinds of data, and when.',
  },
  heldBy: { nb: 'Systemer som har opplysningene dine nå', en: 'Systems holding your data now' },
  feedFiles: {
    nb: 'Filer i pifu-hub som inneholder opplysningene dine (slettes etter fristen)',
    en: 'Files in pifu-hub that contain your data (deleted when their time is up)',
  },
  auditEntries: {
    nb: 'Ganger driftspersonell har sett på eller flyttet opplysningene dine',
    en: 'Times staff looked at or moved your data',
  },
  forgotten: { nb: 'Du har bedt om sletting', en: 'You asked for erasure' },
  restrictionsHeading: {
    nb: 'Begrensning av behandling (artikkel 18)',
    en: 'Restriction of processing (Article 18)',
  },
  restrictedFor: { nb: 'Begrenset for', en: 'Restricted for' },
  allSystems: { nb: 'alle systemer', en: 'all systems' },
  lifted: { nb: 'opphevet', en: 'lifted' },
  active: { nb: 'gjelder', en: 'in force' },
  recipientsHeading: { nb: 'Hvem som har fått opplysninger om deg', en: 'Who received data about you' },
  noRecipients: {
    nb: 'Ingen system har fått opplysninger om deg.',
    en: 'No system has received data about you.',
  },
  purpose: { nb: 'Formål', en: 'Purpose' },
  legalBasis: { nb: 'Rettslig grunnlag', en: 'Legal basis' },
  categories: { nb: 'Opplysninger', en: 'Data' },
  period: { nb: 'Periode', en: 'Period' },
  transfers: { nb: 'overføringer', en: 'transfers' },
  transfer: { nb: 'overføring', en: 'transfer' },
  registeredAs: { nb: 'Registrert som', en: 'Registered as' },
  country: { nb: 'Behandles i', en: 'Processed in' },
  relays: { nb: 'Sender videre til', en: 'Passes on to' },
  holdsNow: { nb: 'Har opplysningene nå', en: 'Holds the data now' },
  restricted: { nb: 'Begrenset for deg', en: 'Restricted for you' },
  yes: { nb: 'ja', en: 'yes' },
  no: { nb: 'nei', en: 'no' },
  notConfigured: { nb: 'ikke lenger i bruk', en: 'no longer in use' },
  retentionHeading: { nb: 'Hvor lenge pifu-hub lagrer', en: 'How long pifu-hub keeps things' },
  retention: {
    nb: 'Oversikten over hvem som fikk hva lagres i {years} år; deretter bare antall per overføring. Filene som ble sendt, slettes {days} dager etter levering.',
    en: 'The record of who received what is kept for {years} years; after that only counts per transfer. The files sent are deleted {days} days after delivery.',
  },
  countsOnly: {
    nb: 'Overføringer før {date} er bare lagret som antall og står ikke her.',
    en: 'Transfers before {date} are kept as counts only and are not listed here.',
  },
  rights: {
    nb: 'Du kan be om retting, sletting eller begrensning, og du kan klage til Datatilsynet. Kontakt skolen eller kommunens personvernombud.',
    en: 'You may ask for correction, erasure or restriction, and you may complain to the Norwegian Data Protection Authority (Datatilsynet). Contact the school or the data protection officer.',
  },
} as const satisfies Record<string, Texts>;

export function text(
  key: keyof typeof accessTexts,
  lang: ReportLanguage,
  values: Record<string, string> = {},
): string {
  return accessTexts[key][lang].replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
}

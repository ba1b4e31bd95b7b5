import type { ColumnType } from 'kysely';

/**
 * The records-store tables this connector reads, as the connector sees them (docs/requirements.md#c6: kept
 * inside the connector; the core never sees it). Special-category tables and `person.native_tongue` are left
 * out on purpose (docs/requirements.md#r1), so a query naming them does not compile.
 */
type DateColumn = ColumnType<Date | string, string, string>;

export interface SchoolOwnerTable {
  id: string;
  name: string;
  organization_number: string;
  municipality_number: string | null;
  county_number: string;
}

export interface SchoolTable {
  id: string;
  owner_id: string;
  organization_number: string;
  nsr_id: string;
  name: string;
  school_types: string[];
}

export interface RosterGroupTable {
  id: string;
  group_type: string;
  school_id: string | null;
  parent_id: string;
  short_name: string;
  long_name: string | null;
  begins: DateColumn | null;
  ends: DateColumn | null;
  admin_period: string | null;
  /** Trinn 1–13 of a group bound to one level, else null. */
  grade: number | null;
}

export interface PersonTable {
  id: string;
  given_name: string;
  middle_name: string | null;
  family_name: string;
  birth_date: DateColumn | null;
  gender: string;
  national_identity_number: string | null;
  status: string;
  preferred_language: string | null;
  address_protection: string;
}

export interface PersonIdentifierTable {
  person_id: string;
  identifier_type: string;
  value: string;
}

export interface PersonEmailTable {
  person_id: string;
  email_type: string;
  address: string;
  priority: number;
}

export interface PersonPhoneTable {
  person_id: string;
  phone_type: string;
  number: string;
  priority: number;
}

export interface PersonAddressTable {
  person_id: string;
  address_type: string;
  street1: string;
  street2: string | null;
  street3: string | null;
  postal_code: string | null;
  locality: string | null;
  country: string;
}

export interface GuardianRelationTable {
  pupil_id: string;
  guardian_id: string;
  has_parental_responsibility: boolean;
  parent_access_consent: boolean;
}

/** `position` is left out on purpose: staff position never enters the model. */
export interface StaffEmploymentTable {
  person_id: string;
  school_id: string;
  begins: DateColumn;
  ends: DateColumn | null;
}

export interface PupilEnrolmentTable {
  person_id: string;
  school_id: string;
  grade: number;
  school_transport_right: boolean;
  begins: DateColumn;
  ends: DateColumn | null;
}

export interface MembershipTable {
  group_id: string;
  person_id: string;
  roletype: string;
  subrole: string | null;
  is_active: boolean;
  is_primary: boolean;
  begins: DateColumn | null;
  ends: DateColumn | null;
  admin_period: string | null;
}

export interface SourceDatabase {
  'records.school_owner': SchoolOwnerTable;
  'records.school': SchoolTable;
  'records.roster_group': RosterGroupTable;
  'records.person': PersonTable;
  'records.person_identifier': PersonIdentifierTable;
  'records.person_email': PersonEmailTable;
  'records.person_phone': PersonPhoneTable;
  'records.person_address': PersonAddressTable;
  'records.guardian_relation': GuardianRelationTable;
  'records.staff_employment': StaffEmploymentTable;
  'records.pupil_enrolment': PupilEnrolmentTable;
  'records.membership': MembershipTable;
}

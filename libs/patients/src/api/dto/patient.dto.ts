import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  registerDecorator,
  ValidateNested,
} from 'class-validator';
import {
  AddressDto,
  AnnotationDto,
  GENDERS,
  IsBoundedJson,
  PageQueryDto,
  PersonNameDto,
  REV_PATTERN,
  SHORT_TEXT,
  type Gender,
} from '@careid/shared';
import {
  DEACTIVATION_REASONS,
  isCalendarDate,
  PERSONAL_STATUSES,
  type DeactivationReason,
  type PersonalStatus,
} from '../../domain/patient';

const PATIENT_ID = 'a37c4073-f96e-440c-8757-57a3a0ef7daf';
const PRACTITIONER_ID = '3ed06450-17e5-47b6-ba4f-7a0a084df56b';
const USER_ID = '17e392da-8e36-4e4e-abd7-7eef3e434395';
const REV = '1-732bd01ebeeaa1d4dd9aa7cde40b724f';
const SMALL_JSON_BYTES = 16_384;
const ID_TEXT = 64;

/** dateOfBirth: an integer YYYYMMDD that names a real calendar date. */
export function IsCalendarDate(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be a real date written as the integer YYYYMMDD (e.g. 19730210)' },
      validator: { validate: (value: unknown) => isCalendarDate(value) },
    });
}

export class CodingReferenceDto {
  @ApiPropertyOptional({ example: 'CD-PROFESSION|physician|1', maxLength: SHORT_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  id?: string;
  @ApiPropertyOptional({ example: 'CD-PROFESSION', maxLength: SHORT_TEXT }) @IsOptional() @IsString() @MaxLength(SHORT_TEXT) type?: string;
  @ApiPropertyOptional({ example: 'physician', maxLength: SHORT_TEXT }) @IsOptional() @IsString() @MaxLength(SHORT_TEXT) code?: string;
  @ApiPropertyOptional({ example: '1', maxLength: 50 }) @IsOptional() @IsString() @MaxLength(50) version?: string;
}

export class IdentifierDto {
  @ApiPropertyOptional({ example: 'id-1', maxLength: SHORT_TEXT }) @IsOptional() @IsString() @MaxLength(SHORT_TEXT) id?: string;
  @ApiPropertyOptional({ example: 'Hospital', maxLength: SHORT_TEXT }) @IsOptional() @IsString() @MaxLength(SHORT_TEXT) assigner?: string;
  @ApiPropertyOptional({ example: '20200101', maxLength: 50 }) @IsOptional() @IsString() @MaxLength(50) start?: string;
  @ApiPropertyOptional({ example: '20301231', maxLength: 50 }) @IsOptional() @IsString() @MaxLength(50) end?: string;
  @ApiPropertyOptional({ example: 'urn:oid:1.2.3', maxLength: SHORT_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  system?: string;
  @ApiPropertyOptional({ type: CodingReferenceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CodingReferenceDto)
  type?: CodingReferenceDto;
  @ApiPropertyOptional({ example: 'official', maxLength: 50 }) @IsOptional() @IsString() @MaxLength(50) use?: string;
  @ApiPropertyOptional({ example: 'MRN-0042', maxLength: SHORT_TEXT }) @IsOptional() @IsString() @MaxLength(SHORT_TEXT) value?: string;
}

export class RelatedPersonDto {
  @ApiPropertyOptional({ example: 'mother', maxLength: ID_TEXT }) @IsOptional() @IsString() @MaxLength(ID_TEXT) relationshipType?: string;
  @ApiPropertyOptional({ example: 'active', maxLength: ID_TEXT }) @IsOptional() @IsString() @MaxLength(ID_TEXT) relationshipStatus?: string;
  @ApiPropertyOptional({ example: PATIENT_ID, maxLength: ID_TEXT }) @IsOptional() @IsString() @MaxLength(ID_TEXT) personId?: string;
}

export class RelatedPractitionerDto {
  @ApiPropertyOptional({ example: 'doctor', maxLength: ID_TEXT }) @IsOptional() @IsString() @MaxLength(ID_TEXT) type?: string;
  @ApiPropertyOptional({ example: PRACTITIONER_ID, maxLength: ID_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(ID_TEXT)
  healthcarePartyId?: string;
  @ApiPropertyOptional({ description: 'Encrypted by the client', maxLength: SMALL_JSON_BYTES })
  @IsOptional()
  @IsString()
  @MaxLength(SMALL_JSON_BYTES)
  encryptedSelf?: string;
}

export class SecurityMetadataDto {
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) secureDelegations!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) keysEquivalences!: Record<string, unknown>;
}

/** iCure's crypto bookkeeping; server-managed. */
export class SystemMetaDataDto {
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) hcPartyKeys!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) privateKeyShamirPartitions!: Record<string, unknown>;
  @ApiProperty({ type: [String], example: [] }) secretForeignKeys!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) cryptedForeignKeys!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) delegations!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) encryptionKeys!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) aesExchangeKeys!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) transferKeys!: Record<string, unknown>;
  @ApiProperty({ type: SecurityMetadataDto }) securityMetadata!: SecurityMetadataDto;
  @ApiProperty({
    type: [String],
    example: ['30820122300d06092a864886f70d01010105000382010f00...'],
    description: "The patient's public keys (hex SPKI, RSA-OAEP with SHA-256), added when its user activates",
  })
  publicKeysForOaepWithSha256!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) tags!: Record<string, unknown>;
}

/** A patient as the API returns it: iCure's createdPatient, key for key, plus the delegations. */
export class PatientDto {
  @ApiProperty({ format: 'uuid', example: PATIENT_ID }) id!: string;
  @ApiProperty({ example: REV }) rev!: string;
  @ApiProperty({ type: [IdentifierDto], example: [] }) identifiers!: IdentifierDto[];
  @ApiProperty({ description: 'Creation time (epoch ms)', example: 1700058624945 }) created!: number;
  @ApiProperty({ description: 'Last modification (epoch ms)', example: 1700058624945 }) modified!: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'The user who created the patient', example: USER_ID }) author?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The data owner (practitioner) who created the patient', example: PRACTITIONER_ID })
  responsible?: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) tags!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) codes!: Record<string, unknown>;
  @ApiProperty({
    type: [PersonNameDto],
    description: 'Computed from firstName/lastName when none are given',
    example: [{ family: 'Poquelin', given: ['Argan'], prefix: [], suffix: [], text: 'Poquelin Argan', use: 'official' }],
  })
  names!: PersonNameDto[];
  @ApiProperty({ type: [String], example: [] }) languages!: string[];
  @ApiProperty({
    type: [AddressDto],
    example: [{ addressType: 'home', notes: [], telecoms: [{ system: 'email', value: 'argan@moliere.fr' }] }],
  })
  addresses!: AddressDto[];
  @ApiProperty({ enum: GENDERS, example: 'unknown' }) gender!: Gender;
  @ApiProperty({ enum: GENDERS, example: 'unknown' }) birthSex!: Gender;
  @ApiProperty({ type: [String], example: [] }) mergedIds!: string[];
  @ApiProperty({ example: true }) active!: boolean;
  @ApiProperty({ enum: DEACTIVATION_REASONS, example: 'none' }) deactivationReason!: DeactivationReason;
  @ApiPropertyOptional({ example: '1973021014722' }) ssin?: string;
  @ApiProperty({ enum: PERSONAL_STATUSES, example: 'unknown' }) personalStatus!: PersonalStatus;
  @ApiPropertyOptional({ description: 'YYYYMMDD', example: 19730210 }) dateOfBirth?: number;
  @ApiProperty({ type: [AnnotationDto], example: [] }) notes!: AnnotationDto[];
  @ApiProperty({ type: [RelatedPersonDto], example: [] }) relatives!: RelatedPersonDto[];
  @ApiProperty({ type: [RelatedPractitionerDto], example: [] }) patientPractitioners!: RelatedPractitionerDto[];
  @ApiProperty({ type: [CodingReferenceDto], example: [] }) patientProfessions!: CodingReferenceDto[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) properties!: Record<string, unknown>;
  @ApiProperty({ type: SystemMetaDataDto }) systemMetaData!: SystemMetaDataDto;
  @ApiPropertyOptional({ example: 'Argan' }) firstName?: string;
  @ApiPropertyOptional({ example: 'Poquelin' }) lastName?: string;
  @ApiProperty({
    type: [String],
    description: 'Ids of the data owners (practitioners, patients) holding a delegation: those who may read the patient',
    example: [PRACTITIONER_ID],
  })
  delegations!: string[];
  @ApiPropertyOptional({ description: 'Set when deleted (epoch ms)', example: 1700058629000 }) deletionDate?: number;
}

/** The unencrypted administrative part of a patient, which the patient's own user may always read. */
export class AdministrativePatientDto {
  @ApiProperty({ format: 'uuid', example: PATIENT_ID }) id!: string;
  @ApiProperty({ example: REV }) rev!: string;
  @ApiPropertyOptional({ example: 'Argan' }) firstName?: string;
  @ApiPropertyOptional({ example: 'Poquelin' }) lastName?: string;
  @ApiProperty({
    type: [PersonNameDto],
    example: [{ family: 'Poquelin', given: ['Argan'], prefix: [], suffix: [], text: 'Poquelin Argan', use: 'official' }],
  })
  names!: PersonNameDto[];
  @ApiProperty({ enum: GENDERS, example: 'unknown' }) gender!: Gender;
  @ApiPropertyOptional({ description: 'YYYYMMDD', example: 19730210 }) dateOfBirth?: number;
  @ApiProperty({ type: [String], example: ['fr'] }) languages!: string[];
  @ApiProperty({ example: true }) active!: boolean;
}

/**
 * A patient as written (POST creates, PUT modifies). Writes round-trip: the
 * object as GET returned it is accepted, server-managed fields (id, created,
 * modified, author, responsible, delegations, deletionDate, systemMetaData)
 * ignored; on PUT a field left out keeps its value.
 */
export class PatientWriteDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Client-chosen id on create; must match the path on modify', example: PATIENT_ID })
  @IsOptional()
  @IsUUID('4')
  id?: string;

  @ApiPropertyOptional({ description: 'Required on modify: the revision this change is based on', example: REV })
  @IsOptional()
  @IsString()
  @Matches(REV_PATTERN, { message: 'rev must look like "<n>-<32 hex>"' })
  rev?: string;

  @ApiPropertyOptional({ description: 'Ignored (server-managed)', example: 1700058624945 }) @IsOptional() @IsInt() created?: number;
  @ApiPropertyOptional({ description: 'Ignored (server-managed)', example: 1700058624945 }) @IsOptional() @IsInt() modified?: number;
  @ApiPropertyOptional({ description: 'Ignored (server-managed)', example: 1700058629000 }) @IsOptional() @IsInt() deletionDate?: number;
  @ApiPropertyOptional({ description: 'Ignored (server-managed)', example: USER_ID, maxLength: ID_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(ID_TEXT)
  author?: string;
  @ApiPropertyOptional({ description: 'Ignored (server-managed)', example: PRACTITIONER_ID, maxLength: ID_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(ID_TEXT)
  responsible?: string;
  @ApiPropertyOptional({ type: [String], description: 'Ignored: change delegations through /delegations', example: [PRACTITIONER_ID] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  @MaxLength(ID_TEXT, { each: true })
  delegations?: string[];
  @ApiPropertyOptional({ type: SystemMetaDataDto, description: 'Ignored (server-managed)' })
  @IsOptional()
  @IsBoundedJson({ maxBytes: 262_144, objectOnly: true })
  systemMetaData?: Record<string, unknown>;

  @ApiPropertyOptional({ type: String, example: 'Argan', maxLength: SHORT_TEXT, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  firstName?: string | null;

  @ApiPropertyOptional({ type: String, example: 'Poquelin', maxLength: SHORT_TEXT, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  lastName?: string | null;

  @ApiPropertyOptional({ type: [PersonNameDto], maxItems: 20, description: 'Left out or empty: computed from firstName/lastName' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PersonNameDto)
  names?: PersonNameDto[];

  @ApiPropertyOptional({ type: [IdentifierDto], maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => IdentifierDto)
  identifiers?: IdentifierDto[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: {},
    description: `Code stubs by id; at most ${SMALL_JSON_BYTES} bytes`,
  })
  @IsOptional()
  @IsBoundedJson({ maxBytes: SMALL_JSON_BYTES, objectOnly: true })
  tags?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: {},
    description: `Code stubs by id; at most ${SMALL_JSON_BYTES} bytes`,
  })
  @IsOptional()
  @IsBoundedJson({ maxBytes: SMALL_JSON_BYTES, objectOnly: true })
  codes?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], example: ['fr'], maxItems: 20, description: 'Language codes (BCP 47)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(35, { each: true })
  languages?: string[];

  @ApiPropertyOptional({ type: [AddressDto], maxItems: 20 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AddressDto)
  addresses?: AddressDto[];

  @ApiPropertyOptional({ enum: GENDERS, example: 'female', description: 'Default unknown' })
  @IsOptional()
  @IsIn(GENDERS)
  gender?: Gender;

  @ApiPropertyOptional({ enum: GENDERS, example: 'female', description: 'Default unknown' })
  @IsOptional()
  @IsIn(GENDERS)
  birthSex?: Gender;

  @ApiPropertyOptional({ type: [String], example: [], maxItems: 100, description: 'Ids of patients merged into this one' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(ID_TEXT, { each: true })
  mergedIds?: string[];

  @ApiPropertyOptional({ example: true, description: 'Default true' }) @IsOptional() @IsBoolean() active?: boolean;

  @ApiPropertyOptional({ enum: DEACTIVATION_REASONS, example: 'none', description: 'Default none' })
  @IsOptional()
  @IsIn(DEACTIVATION_REASONS)
  deactivationReason?: DeactivationReason;

  @ApiPropertyOptional({
    type: String,
    example: '1973021014722',
    maxLength: 50,
    nullable: true,
    description: 'National social security number',
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  ssin?: string | null;

  @ApiPropertyOptional({ enum: PERSONAL_STATUSES, example: 'unknown', description: 'Default unknown' })
  @IsOptional()
  @IsIn(PERSONAL_STATUSES)
  personalStatus?: PersonalStatus;

  @ApiPropertyOptional({ type: 'integer', description: 'YYYYMMDD, a real calendar date', example: 19730210, nullable: true })
  @IsOptional()
  @IsCalendarDate()
  dateOfBirth?: number | null;

  @ApiPropertyOptional({ type: [AnnotationDto], maxItems: 100 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AnnotationDto)
  notes?: AnnotationDto[];

  @ApiPropertyOptional({ type: [RelatedPersonDto], maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RelatedPersonDto)
  relatives?: RelatedPersonDto[];

  @ApiPropertyOptional({ type: [RelatedPractitionerDto], maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RelatedPractitionerDto)
  patientPractitioners?: RelatedPractitionerDto[];

  @ApiPropertyOptional({ type: [CodingReferenceDto], maxItems: 20 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => CodingReferenceDto)
  patientProfessions?: CodingReferenceDto[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: {},
    description: `Free JSON object, at most ${SMALL_JSON_BYTES} bytes`,
  })
  @IsOptional()
  @IsBoundedJson({ maxBytes: SMALL_JSON_BYTES, objectOnly: true })
  properties?: Record<string, unknown>;
}

export class PatientFilterDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Prefix of the family-first ("Poquelin Ar") or given-first ("Argan Poq") name, case-insensitive',
    maxLength: SHORT_TEXT,
    example: 'poq',
  })
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  name?: string;

  @ApiPropertyOptional({ example: '1973021014722', maxLength: 50 }) @IsOptional() @IsString() @MaxLength(50) ssin?: string;

  @ApiPropertyOptional({ description: 'YYYYMMDD', example: 19730210 })
  @IsOptional()
  @Type(() => Number)
  @IsCalendarDate()
  dateOfBirth?: number;
}

export class DelegationDto {
  @ApiProperty({ format: 'uuid', description: 'The practitioner or patient to share the patient with', example: PRACTITIONER_ID })
  @IsUUID('all')
  dataOwnerId!: string;

  @ApiPropertyOptional({ example: true, description: 'Also share the medical records of the patient that you can read (default false)' })
  @IsOptional()
  @IsBoolean()
  includeRecords?: boolean;
}

export class SharingStatusDto {
  @ApiProperty({ example: true }) success!: boolean;
  @ApiProperty({ type: String, nullable: true, example: null }) error!: string | null;
  @ApiProperty({ description: 'Records that gained the patient as delegate', example: 1 }) modified!: number;
}

export class SharingStatusesDto {
  @ApiProperty({ type: SharingStatusDto }) dataSamples!: SharingStatusDto;
  @ApiProperty({ type: SharingStatusDto }) healthcareElements!: SharingStatusDto;
  @ApiProperty({ type: SharingStatusDto }) patient!: SharingStatusDto;
}

/** iCure's giveAccessToAllDataOf report. */
export class DataSharingReportDto {
  @ApiProperty({ type: PatientDto }) patient!: PatientDto;
  @ApiProperty({ type: SharingStatusesDto }) statuses!: SharingStatusesDto;
}

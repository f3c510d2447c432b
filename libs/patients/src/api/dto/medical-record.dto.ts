import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, ArrayMaxSize, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { IsBoundedJson, PageQueryDto, REV_PATTERN } from '@careid/shared';

const RECORD_ID = '5a2c0b1e-3f4d-4e6a-9b8c-7d6e5f4a3b2c';
const PATIENT_ID = 'a37c4073-f96e-440c-8757-57a3a0ef7daf';
const PRACTITIONER_ID = '3ed06450-17e5-47b6-ba4f-7a0a084df56b';
const USER_ID = '17e392da-8e36-4e4e-abd7-7eef3e434395';
const REV = '1-0e5d5b1c3a8f4e2d9c7b6a5f4e3d2c1b';
const CONTENT_MAX_BYTES = 262_144;
const CODES_MAX_BYTES = 16_384;
const ID_TEXT = 64;

/** What data samples and healthcare elements share, as the API returns them. */
export class MedicalRecordDto {
  @ApiProperty({ format: 'uuid', example: RECORD_ID }) id!: string;
  @ApiProperty({ example: REV }) rev!: string;
  @ApiProperty({ format: 'uuid', description: 'The patient the record belongs to', example: PATIENT_ID }) patientId!: string;
  @ApiProperty({ description: 'Creation time (epoch ms)', example: 1700058624945 }) created!: number;
  @ApiProperty({ description: 'Last modification (epoch ms)', example: 1700058624945 }) modified!: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'The user who created the record', example: USER_ID }) author?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The data owner who created the record', example: PRACTITIONER_ID })
  responsible?: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Free JSON object; clients may store encrypted content in it',
    example: { en: { measureValue: { value: 72, unit: 'bpm' } } },
  })
  content!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) codes!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) tags!: Record<string, unknown>;
  @ApiProperty({ type: [String], description: 'Ids of the data owners who may read the record', example: [PRACTITIONER_ID] })
  delegations!: string[];
  @ApiPropertyOptional({ description: 'Set when deleted (epoch ms)', example: 1700058629000 }) deletionDate?: number;
}

export class DataSampleDto extends MedicalRecordDto {}

export class HealthcareElementDto extends MedicalRecordDto {
  @ApiPropertyOptional({ description: 'Start of the condition (epoch ms)', example: 1700000000000 }) openingDate?: number;
  @ApiPropertyOptional({ description: 'End of the condition (epoch ms)', example: 1700086400000 }) closingDate?: number;
}

/**
 * A record as written: POST needs `patientId` and `content`; PUT takes the
 * record as GET returned it, with its `rev` (server-managed fields ignored,
 * a field left out keeps its value, the patient cannot change).
 */
export class MedicalRecordWriteDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Client-chosen id on create; must match the path on modify', example: RECORD_ID })
  @IsOptional()
  @IsUUID('4')
  id?: string;

  @ApiPropertyOptional({ description: 'Required on modify: the revision this change is based on', example: REV })
  @IsOptional()
  @IsString()
  @Matches(REV_PATTERN, { message: 'rev must look like "<n>-<32 hex>"' })
  rev?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required on create; cannot change', example: PATIENT_ID })
  @IsOptional()
  @IsUUID('all')
  patientId?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `Required on create: a free JSON object of at most ${CONTENT_MAX_BYTES} bytes (clients may store encrypted content)`,
    example: { en: { measureValue: { value: 72, unit: 'bpm' } } },
  })
  @IsOptional()
  @IsBoundedJson({ maxBytes: CONTENT_MAX_BYTES, objectOnly: true })
  content?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: {},
    description: `Code stubs by id; at most ${CODES_MAX_BYTES} bytes`,
  })
  @IsOptional()
  @IsBoundedJson({ maxBytes: CODES_MAX_BYTES, objectOnly: true })
  codes?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: {},
    description: `Code stubs by id; at most ${CODES_MAX_BYTES} bytes`,
  })
  @IsOptional()
  @IsBoundedJson({ maxBytes: CODES_MAX_BYTES, objectOnly: true })
  tags?: Record<string, unknown>;

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
  @ApiPropertyOptional({ type: [String], description: 'Ignored (server-managed)', example: [PRACTITIONER_ID] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  @MaxLength(ID_TEXT, { each: true })
  delegations?: string[];
}

export class DataSampleWriteDto extends MedicalRecordWriteDto {}

export class HealthcareElementWriteDto extends MedicalRecordWriteDto {
  @ApiPropertyOptional({ type: Number, description: 'Start of the condition (epoch ms)', example: 1700000000000, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  openingDate?: number | null;

  @ApiPropertyOptional({
    type: Number,
    description: 'End of the condition (epoch ms); not before openingDate',
    example: 1700086400000,
    nullable: true,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  closingDate?: number | null;
}

export class MedicalRecordFilterDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this patient's records", example: PATIENT_ID })
  @IsOptional()
  @IsUUID('all')
  patientId?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { AddressDto, GENDERS, IsBoundedJson, PageQueryDto, PersonNameDto, REV_PATTERN, SHORT_TEXT, type Gender } from '@careid/shared';

const PRACTITIONER_ID = '3ed06450-17e5-47b6-ba4f-7a0a084df56b';
const PROPERTIES_MAX_BYTES = 16_384;

/** A practitioner (healthcare party) as the API returns it. */
export class PractitionerDto {
  @ApiProperty({ format: 'uuid', example: PRACTITIONER_ID }) id!: string;
  @ApiProperty({ example: '1-732bd01ebeeaa1d4dd9aa7cde40b724f' }) rev!: string;
  @ApiProperty({ description: 'Creation time (epoch ms)', example: 1700058624945 }) created!: number;
  @ApiProperty({ description: 'Last modification (epoch ms)', example: 1700058624945 }) modified!: number;
  @ApiPropertyOptional({ description: 'Set when deleted (epoch ms)', example: 1700058629000 }) deletionDate?: number;
  @ApiPropertyOptional({ example: 'Jean-Baptiste' }) firstName?: string;
  @ApiPropertyOptional({ example: 'Purgon' }) lastName?: string;
  @ApiProperty({
    type: [PersonNameDto],
    description: 'Computed from firstName/lastName when none are given',
    example: [{ family: 'Purgon', given: ['Jean-Baptiste'], prefix: [], suffix: [], text: 'Purgon Jean-Baptiste', use: 'official' }],
  })
  names!: PersonNameDto[];
  @ApiProperty({ enum: GENDERS, example: 'unknown' }) gender!: Gender;
  @ApiPropertyOptional({ example: 'General practice' }) speciality?: string;
  @ApiProperty({
    type: [AddressDto],
    example: [{ addressType: 'work', notes: [], telecoms: [{ system: 'email', value: 'purgon@hospital.care' }] }],
  })
  addresses!: AddressDto[];
  @ApiProperty({ type: [String], example: ['fr'] }) languages!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) properties!: Record<string, unknown>;
}

/**
 * A practitioner as written (POST creates, PUT modifies). Writes round-trip:
 * the object as GET returned it is accepted, server-managed fields ignored;
 * on PUT a field left out keeps its value.
 */
export class PractitionerWriteDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Client-chosen id on create; must match the path on modify',
    example: PRACTITIONER_ID,
  })
  @IsOptional()
  @IsUUID('4')
  id?: string;

  @ApiPropertyOptional({
    description: 'Required on modify: the revision this change is based on',
    example: '1-732bd01ebeeaa1d4dd9aa7cde40b724f',
  })
  @IsOptional()
  @IsString()
  @Matches(REV_PATTERN, { message: 'rev must look like "<n>-<32 hex>"' })
  rev?: string;

  @ApiPropertyOptional({ description: 'Ignored (server-managed)', example: 1700058624945 }) @IsOptional() @IsInt() created?: number;
  @ApiPropertyOptional({ description: 'Ignored (server-managed)', example: 1700058624945 }) @IsOptional() @IsInt() modified?: number;
  @ApiPropertyOptional({ description: 'Ignored (server-managed)', example: 1700058629000 }) @IsOptional() @IsInt() deletionDate?: number;

  @ApiPropertyOptional({ type: String, example: 'Jean-Baptiste', maxLength: SHORT_TEXT, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  firstName?: string | null;

  @ApiPropertyOptional({ type: String, example: 'Purgon', maxLength: SHORT_TEXT, nullable: true })
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

  @ApiPropertyOptional({ enum: GENDERS, example: 'female', description: 'Default unknown' })
  @IsOptional()
  @IsIn(GENDERS)
  gender?: Gender;

  @ApiPropertyOptional({ type: String, example: 'General practice', maxLength: SHORT_TEXT, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  speciality?: string | null;

  @ApiPropertyOptional({ type: [AddressDto], maxItems: 20 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AddressDto)
  addresses?: AddressDto[];

  @ApiPropertyOptional({ type: [String], example: ['fr', 'nl'], maxItems: 20, description: 'Language codes (BCP 47)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(35, { each: true })
  languages?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: {},
    description: `Free JSON object, at most ${PROPERTIES_MAX_BYTES} bytes`,
  })
  @IsOptional()
  @IsBoundedJson({ maxBytes: PROPERTIES_MAX_BYTES, objectOnly: true })
  properties?: Record<string, unknown>;
}

export class PractitionerFilterDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Prefix of the family-first ("Purgon Jean") or given-first ("Jean-Baptiste Pur") name, case-insensitive',
    maxLength: SHORT_TEXT,
    example: 'purg',
  })
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  name?: string;
}

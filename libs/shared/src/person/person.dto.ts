import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { ADDRESS_TYPES, PERSON_NAME_USES, TELECOM_SYSTEMS } from './person';

/** Short texts (names, streets, codes). */
export const SHORT_TEXT = 255;
/** Free texts (notes). */
export const LONG_TEXT = 10_000;

export class PersonNameDto {
  @ApiPropertyOptional({ example: 'Poquelin', maxLength: SHORT_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  family?: string;

  @ApiPropertyOptional({ type: [String], example: ['Argan'], maxItems: 10, description: 'Always present in answers' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(SHORT_TEXT, { each: true })
  given?: string[];

  @ApiPropertyOptional({ type: [String], example: [], maxItems: 10, description: 'Always present in answers' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(SHORT_TEXT, { each: true })
  prefix?: string[];

  @ApiPropertyOptional({ type: [String], example: [], maxItems: 10, description: 'Always present in answers' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(SHORT_TEXT, { each: true })
  suffix?: string[];

  @ApiPropertyOptional({ example: 'Poquelin Argan', maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  text?: string;

  @ApiPropertyOptional({ enum: PERSON_NAME_USES, example: 'official', description: 'Default official; always present in answers' })
  @IsOptional()
  @IsIn(PERSON_NAME_USES)
  use?: (typeof PERSON_NAME_USES)[number];

  @ApiPropertyOptional({ description: 'Valid from (epoch ms)', example: 1700058624945 })
  @IsOptional()
  @IsInt()
  @Min(0)
  start?: number;

  @ApiPropertyOptional({ description: 'Valid until (epoch ms)', example: 1700058624945 })
  @IsOptional()
  @IsInt()
  @Min(0)
  end?: number;
}

export class TelecomDto {
  @ApiProperty({ enum: TELECOM_SYSTEMS, example: 'email' })
  @IsIn(TELECOM_SYSTEMS)
  system!: (typeof TELECOM_SYSTEMS)[number];

  @ApiProperty({ example: 'argan@moliere.fr', maxLength: SHORT_TEXT })
  @IsString()
  @MaxLength(SHORT_TEXT)
  value!: string;

  @ApiPropertyOptional({ example: 'Private', maxLength: SHORT_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  description?: string;
}

export class AnnotationDto {
  @ApiPropertyOptional({ example: '6b1c9b5e-7f55-4c1f-9d3f-1d0b3a3c2e11', maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  id?: string;

  @ApiPropertyOptional({ description: 'Author (user or data owner id)', example: '17e392da-8e36-4e4e-abd7-7eef3e434395', maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  author?: string;

  @ApiPropertyOptional({ example: 1700058624945 }) @IsOptional() @IsInt() @Min(0) created?: number;
  @ApiPropertyOptional({ example: 1700058624945 }) @IsOptional() @IsInt() @Min(0) modified?: number;

  @ApiPropertyOptional({ example: 'Prefers morning appointments', maxLength: LONG_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(LONG_TEXT)
  text?: string;

  @ApiPropertyOptional({ example: false }) @IsOptional() @IsBoolean() confidential?: boolean;
}

/** iCure's Location (an address with its telecoms). */
export class AddressDto {
  @ApiPropertyOptional({ enum: ADDRESS_TYPES, example: 'home' })
  @IsOptional()
  @IsIn(ADDRESS_TYPES)
  addressType?: (typeof ADDRESS_TYPES)[number];

  @ApiPropertyOptional({ example: 'Main residence', maxLength: SHORT_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  description?: string;

  @ApiPropertyOptional({ example: 'Rue de Richelieu', maxLength: SHORT_TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(SHORT_TEXT)
  street?: string;

  @ApiPropertyOptional({ example: '40', maxLength: 50 }) @IsOptional() @IsString() @MaxLength(50) houseNumber?: string;
  @ApiPropertyOptional({ example: 'B', maxLength: 50 }) @IsOptional() @IsString() @MaxLength(50) postboxNumber?: string;
  @ApiPropertyOptional({ example: '75001', maxLength: 50 }) @IsOptional() @IsString() @MaxLength(50) postalCode?: string;
  @ApiPropertyOptional({ example: 'Paris', maxLength: SHORT_TEXT }) @IsOptional() @IsString() @MaxLength(SHORT_TEXT) city?: string;
  @ApiPropertyOptional({ example: 'Île-de-France', maxLength: SHORT_TEXT }) @IsOptional() @IsString() @MaxLength(SHORT_TEXT) state?: string;
  @ApiPropertyOptional({ example: 'France', maxLength: SHORT_TEXT }) @IsOptional() @IsString() @MaxLength(SHORT_TEXT) country?: string;

  @ApiPropertyOptional({ type: [AnnotationDto], example: [], maxItems: 50, description: 'Always present in answers' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AnnotationDto)
  notes?: AnnotationDto[];

  @ApiPropertyOptional({
    type: [TelecomDto],
    example: [{ system: 'email', value: 'argan@moliere.fr' }],
    maxItems: 20,
    description: 'Always present in answers',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => TelecomDto)
  telecoms?: TelecomDto[];
}

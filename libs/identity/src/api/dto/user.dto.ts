import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { REV_PATTERN } from '@careid/shared';
import { AccessPolicyDto } from './access-policy.dto';

const USER_EXAMPLE_ID = '1ad0454d-0554-4008-ac05-80c5cf847ad1';

export class AuthenticationTokenInfoDto {
  @ApiProperty({ example: 1700058624896, description: 'Creation time (epoch ms)' }) creationTime!: number;
  @ApiProperty({ example: 3600, description: 'Validity in seconds from creation' }) validity!: number;
}

/** A user as the API returns it: every field of the iCure User entity; secrets masked. */
export class UserDto {
  @ApiProperty({ format: 'uuid', example: USER_EXAMPLE_ID }) id!: string;
  @ApiProperty({ example: '1-a2935837fdb2119e0f01d695c4807c08' }) rev!: string;
  @ApiProperty({ example: 1700058624896 }) created!: number;
  @ApiPropertyOptional({ description: 'Set when the user is deleted (epoch ms)' }) deletionDate?: number;
  @ApiPropertyOptional({ example: 'John Doe' }) name?: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) properties!: Record<string, unknown>;
  @ApiProperty({ type: 'array', items: {}, example: [] }) permissions!: unknown[];
  @ApiProperty({ type: [String], example: [] }) roles!: string[];
  @ApiProperty({ enum: ['database', 'ldap', 'token'], example: 'database' }) type!: string;
  @ApiProperty({ enum: ['ACTIVE', 'DISABLED', 'REGISTERING'], example: 'ACTIVE' }) status!: string;
  @ApiProperty({ example: 'johnkcq59ip2d' }) login!: string;
  @ApiPropertyOptional({ example: '*', description: 'Always "*" when a password is set; never the hash' }) passwordHash?: string;
  @ApiProperty({ example: false }) use2fa!: boolean;
  @ApiProperty({ example: 'default' }) groupId!: string;
  @ApiPropertyOptional({
    format: 'uuid',
    example: '3ed06450-17e5-47b6-ba4f-7a0a084df56b',
    description: 'The practitioner this user stands for',
  })
  healthcarePartyId?: string;
  @ApiPropertyOptional({ format: 'uuid', example: 'a37c4073-f96e-440c-8757-57a3a0ef7daf', description: 'The patient this user stands for' })
  patientId?: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string', format: 'uuid' } },
    example: {},
    description: '`{"all": [dataOwnerId, ...]}`: delegates added to every record this user creates',
  })
  autoDelegations!: Record<string, string[]>;
  @ApiPropertyOptional({ example: 1700058624896 }) createdDate?: number;
  @ApiPropertyOptional({ example: 1700058624896, description: 'Latest acceptance of the terms of use (epoch ms)' }) termsOfUseDate?: number;
  @ApiPropertyOptional({ example: 'johnkcq59ip2d@hospital.care' }) email?: string;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/AuthenticationTokenInfoDto' }, example: {} })
  authenticationTokens!: Record<string, AuthenticationTokenInfoDto>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) sharingDataWith!: Record<string, unknown>;
  @ApiPropertyOptional({ type: AccessPolicyDto }) accessPolicy?: AccessPolicyDto;
}

@ValidatorConstraint({ name: 'autoDelegations' })
class AutoDelegationsShape implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
    const entries = Object.entries(value);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    return (
      entries.length <= 20 &&
      entries.every(
        ([key, ids]) =>
          key.length <= 50 && Array.isArray(ids) && ids.length <= 100 && ids.every((id) => typeof id === 'string' && uuid.test(id)),
      )
    );
  }
  defaultMessage(): string {
    return 'autoDelegations must be an object of arrays of data owner ids, e.g. {"all": ["<uuid>"]}';
  }
}

/**
 * A user as written (POST creates, PUT modifies). Writes round-trip: the
 * object as GET returned it is accepted, with server-managed fields ignored.
 * On PUT, a field left out keeps its value.
 */
export class UserWriteDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Client-chosen id on create; must match the path on modify' })
  @IsOptional()
  @IsUUID('4')
  id?: string;

  @ApiPropertyOptional({
    description: 'Required on modify: the revision this change is based on',
    example: '1-a2935837fdb2119e0f01d695c4807c08',
  })
  @IsOptional()
  @IsString()
  @Matches(REV_PATTERN, { message: 'rev must look like "<n>-<32 hex>"' })
  rev?: string;

  @ApiPropertyOptional({ description: 'Ignored (server-managed)' }) @IsOptional() @IsInt() created?: number;
  @ApiPropertyOptional({ description: 'Ignored (server-managed)' }) @IsOptional() @IsInt() modified?: number;
  @ApiPropertyOptional({ description: 'Ignored (server-managed)' }) @IsOptional() @IsInt() deletionDate?: number;

  @ApiPropertyOptional({ maxLength: 255, example: 'John Doe' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  properties?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'array', items: {} })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  permissions?: unknown[];

  @ApiPropertyOptional({ type: [String], example: ['ADMIN'], description: 'Admin only' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { each: true, message: 'each role must be 1-64 letters, digits, _ . : -' })
  roles?: string[];

  @ApiPropertyOptional({ enum: ['database', 'ldap', 'token'], description: 'Ignored (server-managed)' })
  @IsOptional()
  @IsIn(['database', 'ldap', 'token'])
  type?: string;

  @ApiPropertyOptional({ enum: ['ACTIVE', 'DISABLED', 'REGISTERING'], description: 'Admin only; default ACTIVE' })
  @IsOptional()
  @IsIn(['ACTIVE', 'DISABLED', 'REGISTERING'])
  status?: 'ACTIVE' | 'DISABLED' | 'REGISTERING';

  @ApiPropertyOptional({
    maxLength: 255,
    example: 'johnkcq59ip2d',
    description: 'Unique (case-insensitive) among live users; defaults to the email',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  login?: string;

  @ApiPropertyOptional({
    description: 'The plain password to set (stored as a bcrypt hash); "*" or absent keeps the current one',
    example: 'correct horse battery staple',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  passwordHash?: string;

  @ApiPropertyOptional({ description: 'Required when a user changes its own email or password' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  currentPassword?: string;

  @ApiPropertyOptional({ description: 'Ignored: never accepted from clients' }) @IsOptional() @IsString() @MaxLength(1000) secret?: string;
  @ApiPropertyOptional({ description: 'Ignored: set through /users/current/2fa' }) @IsOptional() @IsBoolean() use2fa?: boolean;
  @ApiPropertyOptional({ description: 'Ignored: the deployment group' }) @IsOptional() @IsString() @MaxLength(255) groupId?: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'Admin only: the practitioner this user stands for' })
  @IsOptional()
  @IsUUID('4')
  healthcarePartyId?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'Admin only: the patient this user stands for' })
  @IsOptional()
  @IsUUID('4')
  patientId?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string', format: 'uuid' } } })
  @IsOptional()
  @Validate(AutoDelegationsShape)
  autoDelegations?: Record<string, string[]>;

  @ApiPropertyOptional({ example: 1700058624896 }) @IsOptional() @IsInt() @Min(0) createdDate?: number;
  @ApiPropertyOptional({ type: Number, nullable: true, example: 1700058624896 }) @IsOptional() @IsInt() @Min(0) termsOfUseDate?:
    number | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'johnkcq59ip2d@hospital.care', maxLength: 254 })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Ignored (server-managed)' })
  @IsOptional()
  @IsObject()
  authenticationTokens?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Ignored: legacy name of authenticationTokens' })
  @IsOptional()
  @IsObject()
  applicationTokens?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  sharingDataWith?: Record<string, unknown>;

  @ApiPropertyOptional({ type: AccessPolicyDto, nullable: true, description: 'Admin only; null removes the policy' })
  @IsOptional()
  @ValidateNested()
  @Type(() => AccessPolicyDto)
  accessPolicy?: AccessPolicyDto | null;
}

export class DeletedDto {
  @ApiProperty({ format: 'uuid', example: USER_EXAMPLE_ID }) id!: string;
  @ApiProperty({ example: '4-ebaca07d4c6d7217f704d9bf83d4d30e' }) rev!: string;
}

export class CountDto {
  @ApiProperty({ example: 42 }) count!: number;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { REV_PATTERN } from '@careid/shared';

const ALIAS = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const ALIAS_MESSAGE = 'alias must be 1-63 lower-case letters, digits, . _ -, starting with a letter or digit';

/** An external OpenID provider as an admin writes it; `PUT` takes it as `GET` returned it. */
export class IdentityProviderWriteDto {
  @ApiProperty({ example: 'entra-id', description: 'Names the provider in URLs and in token exchange; cannot change' })
  @IsString()
  @Matches(ALIAS, { message: ALIAS_MESSAGE })
  alias!: string;

  @ApiPropertyOptional({
    description: 'Required on modify: the revision this change is based on',
    example: '1-a2935837fdb2119e0f01d695c4807c08',
  })
  @IsOptional()
  @IsString()
  @Matches(REV_PATTERN, { message: 'rev must look like "<n>-<32 hex>"' })
  rev?: string;

  @ApiProperty({
    example: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0',
    description:
      "The provider's issuer: https (http only on 127.0.0.1, [::1] or localhost); its /.well-known/openid-configuration must answer",
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  issuer!: string;

  @ApiProperty({
    example: '6731de76-14a6-49ae-97bc-6eba6914391e',
    description: "Careid's client id at the provider: ID tokens must name it in `aud`",
  })
  @IsString()
  @Matches(/^[\x21-\x7E]{1,255}$/, { message: 'clientId must be 1-255 visible ASCII characters' })
  clientId!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    writeOnly: true,
    description: 'Stored encrypted and never returned; left out on modify: unchanged; null: removed',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  clientSecret?: string | null;

  @ApiPropertyOptional({ default: false, description: 'A verified email no user has creates an ACTIVE user with defaultRoles' })
  @IsOptional()
  @IsBoolean()
  allowSignup?: boolean;

  @ApiPropertyOptional({ type: [String], example: ['PRACTITIONER'], description: 'Roles of users who sign up (never ADMIN)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { each: true, message: 'each role must be 1-64 letters, digits, _ . : -' })
  defaultRoles?: string[];

  @ApiPropertyOptional({
    default: false,
    description:
      "Users with use2fa also send their Careid TOTP code with the provider's ID token; otherwise the provider's sign-in suffices",
  })
  @IsOptional()
  @IsBoolean()
  requireTotp?: boolean;

  @ApiPropertyOptional({ description: 'Ignored (server-managed)' }) @IsOptional() @IsBoolean() hasClientSecret?: boolean;
  @ApiPropertyOptional({ description: 'Ignored (server-managed)' }) @IsOptional() @IsInt() created?: number;
  @ApiPropertyOptional({ description: 'Ignored (server-managed)' }) @IsOptional() @IsInt() modified?: number;
}

export class IdentityProviderDto {
  @ApiProperty({ example: 'entra-id' }) alias!: string;
  @ApiProperty({ example: '1-a2935837fdb2119e0f01d695c4807c08' }) rev!: string;
  @ApiProperty({ example: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0' }) issuer!: string;
  @ApiProperty({ example: '6731de76-14a6-49ae-97bc-6eba6914391e' }) clientId!: string;
  @ApiProperty({ example: true, description: 'Whether a client secret is stored (it is never returned)' }) hasClientSecret!: boolean;
  @ApiProperty({ example: false, description: 'A verified email no user has creates an ACTIVE user with defaultRoles' })
  allowSignup!: boolean;
  @ApiProperty({ type: [String], example: ['PRACTITIONER'], description: 'Roles of users who sign up' }) defaultRoles!: string[];
  @ApiProperty({ example: false, description: 'Users with use2fa also send their Careid TOTP code' }) requireTotp!: boolean;
  @ApiProperty({ example: 1700058624896 }) created!: number;
  @ApiProperty({ example: 1700058624896 }) modified!: number;
}

/** A user's account at an identity provider. */
export class FederatedIdentityDto {
  @ApiProperty({ example: 'entra-id', description: "The provider's alias" }) provider!: string;
  @ApiProperty({ example: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ', description: "The user's `sub` at the provider" })
  subject!: string;
  @ApiPropertyOptional({ example: 'john@hospital.care', description: 'The address the provider gave when the link was made' })
  email?: string;
  @ApiProperty({ example: 1700058624896, description: 'When the link was made (epoch ms)' }) created!: number;
}

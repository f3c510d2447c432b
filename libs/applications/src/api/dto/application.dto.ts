import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';
import { PageQueryDto, REV_PATTERN, SHORT_TEXT } from '@careid/shared';
import { APPLICATION_SCOPES, APPLICATION_TYPES, type ApplicationScope, type ApplicationType } from '../../domain/application';
import { REDIRECT_URI_MAX_LENGTH, redirectUriProblem } from '../../domain/redirect-uri';

const APPLICATION_ID = '0d8c4f2a-5b1e-4c7d-9a3f-6e2b8d1c7a90';
const REDIRECT_URIS_MAX = 20;

/** Each value is a redirect URI that may be registered (https, http on loopback, or a native app's reverse-domain scheme). */
function AreRedirectUris(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'areRedirectUris',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) && value.every((uri) => typeof uri === 'string' && redirectUriProblem(uri) === null),
        defaultMessage: (args) => {
          const values: unknown[] = Array.isArray(args?.value) ? args.value : [args?.value];
          const bad = values.find((uri) => typeof uri !== 'string' || redirectUriProblem(uri) !== null);
          return `${args?.property}: ${typeof bad === 'string' ? `"${bad.slice(0, 100)}" ${redirectUriProblem(bad)}` : 'each value must be a string'}`;
        },
      },
    },
    options,
  );
}

/** An application (OAuth client) as the API returns it; `clientSecret` only in the answer that creates or rotates it. */
export class ApplicationDto {
  @ApiProperty({ format: 'uuid', example: APPLICATION_ID }) id!: string;
  @ApiProperty({ example: '1-732bd01ebeeaa1d4dd9aa7cde40b724f' }) rev!: string;
  @ApiProperty({ description: 'The OAuth client_id', example: 'careid-Zq3T9wq1bY2nJ0aX' }) clientId!: string;
  @ApiProperty({ example: 'Patient portal' }) name!: string;
  @ApiProperty({
    enum: APPLICATION_TYPES,
    example: 'public',
    description: 'public: a browser or native app (PKCE); confidential: a server with a secret',
  })
  type!: ApplicationType;
  @ApiProperty({
    type: [String],
    example: ['https://portal.example/callback'],
    description: 'Matched exactly; the first is the default `redirectUrl` of invitations naming this application',
  })
  redirectUris!: string[];
  @ApiProperty({ type: [String], example: ['https://portal.example/'] }) postLogoutRedirectUris!: string[];
  @ApiProperty({ enum: APPLICATION_SCOPES, isArray: true, example: [...APPLICATION_SCOPES] }) allowedScopes!: ApplicationScope[];
  @ApiPropertyOptional({
    description: 'Confidential applications only, and only in the answer that creates or rotates it: store it now, it is never shown again',
  })
  clientSecret?: string;
  @ApiProperty({ description: 'Creation time (epoch ms)', example: 1700058624945 }) created!: number;
  @ApiProperty({ description: 'Last modification (epoch ms)', example: 1700058624945 }) modified!: number;
}

/** An application as written (POST registers, PUT modifies with `rev`). Server-managed fields are accepted and ignored. */
export class ApplicationWriteDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Client-chosen id on create; must match the path on modify',
    example: APPLICATION_ID,
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

  @ApiProperty({ example: 'Patient portal', maxLength: SHORT_TEXT })
  @IsString()
  @MinLength(1)
  @MaxLength(SHORT_TEXT)
  name!: string;

  @ApiProperty({ enum: APPLICATION_TYPES, example: 'public', description: 'Cannot change after registration' })
  @IsIn(APPLICATION_TYPES)
  type!: ApplicationType;

  @ApiProperty({ type: [String], minItems: 1, maxItems: REDIRECT_URIS_MAX, example: ['https://portal.example/callback'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(REDIRECT_URIS_MAX)
  @MaxLength(REDIRECT_URI_MAX_LENGTH, { each: true })
  @AreRedirectUris()
  redirectUris!: string[];

  @ApiPropertyOptional({ type: [String], maxItems: REDIRECT_URIS_MAX, example: ['https://portal.example/'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(REDIRECT_URIS_MAX)
  @MaxLength(REDIRECT_URI_MAX_LENGTH, { each: true })
  @AreRedirectUris()
  postLogoutRedirectUris?: string[];

  @ApiPropertyOptional({
    enum: APPLICATION_SCOPES,
    isArray: true,
    description: 'Default: all of them',
    example: ['openid', 'profile', 'email'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(APPLICATION_SCOPES.length)
  @IsIn(APPLICATION_SCOPES, { each: true })
  allowedScopes?: ApplicationScope[];

  @ApiPropertyOptional({ description: 'Ignored (server-managed)' }) @IsOptional() @IsString() @MaxLength(SHORT_TEXT) clientId?: string;
  @ApiPropertyOptional({ description: 'Ignored (server-managed)' }) @IsOptional() @IsString() @MaxLength(SHORT_TEXT) clientSecret?: string;
  @ApiPropertyOptional({ description: 'Ignored (server-managed)', example: 1700058624945 }) @IsOptional() @IsInt() created?: number;
  @ApiPropertyOptional({ description: 'Ignored (server-managed)', example: 1700058624945 }) @IsOptional() @IsInt() modified?: number;
}

export class ApplicationQueryDto extends PageQueryDto {}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  ArrayMaxSize,
  IsArray,
} from 'class-validator';
import { AccessPolicyDto, TokenPairDto } from '@careid/identity';
import { PageQueryDto } from '@careid/shared';
import { MessageTemplateDto } from './message-template.dto';

/** Where an invitation leads once accepted: the same two fields on both kinds of invite. */
export class InvitationTargetDto {
  @ApiPropertyOptional({
    example: 'https://app.example/welcome',
    description:
      'Where the invited person goes once done: the accept answer carries it and the set-password page offers to continue there. ' +
      "On an origin of ALLOWED_REDIRECT_ORIGINS or of the application's redirect URIs (400 `REDIRECT_NOT_ALLOWED` otherwise). " +
      "Default: the application's first redirect URI.",
  })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2000)
  redirectUrl?: string;
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A registered application (see /api/v1/applications); 404 `APPLICATION_NOT_FOUND` when there is none',
    example: '6f1c1a8e-2f1d-4c61-9a55-0c3f8f4b8a10',
  })
  @IsOptional()
  @IsUUID('all')
  applicationId?: string;
}

export class InvitedResourceDto {
  @ApiProperty({ enum: ['Practitioner', 'Patient'], example: 'Practitioner' }) @IsIn(['Practitioner', 'Patient']) resourceType!:
    'Practitioner' | 'Patient';
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'An existing profile; without it a new one is created',
    example: 'b351faef-d81d-4a33-81a9-2e31bd54807e',
  })
  @IsOptional()
  @IsUUID('4')
  id?: string;
}

/**
 * Oystehr's invite: a person (new or existing profile) becomes a user by setting a password through a one-time link.
 * An email whose REGISTERING user's invitation expired or was revoked is invited again (renewed) with that user.
 */
export class CreateInvitationDto extends InvitationTargetDto {
  @ApiProperty({ example: 'jon.snow@clinic.example' }) @IsString() @MaxLength(254) email!: string;
  @ApiPropertyOptional({ example: 'Jon' }) @IsOptional() @IsString() @MaxLength(255) firstName?: string;
  @ApiPropertyOptional({ example: 'Snow' }) @IsOptional() @IsString() @MaxLength(255) lastName?: string;
  @ApiProperty({ type: InvitedResourceDto }) @ValidateNested() @Type(() => InvitedResourceDto) resource!: InvitedResourceDto;
  @ApiPropertyOptional({ type: [String], example: [] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { each: true, message: 'each role must be 1-64 letters, digits, _ . : -' })
  roles?: string[];
  @ApiPropertyOptional({ type: AccessPolicyDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AccessPolicyDto)
  accessPolicy?: AccessPolicyDto;
  @ApiPropertyOptional({
    default: false,
    description: 'Mail the link to the invited person; otherwise the caller delivers `invitationUrl`',
  })
  @IsOptional()
  @IsBoolean()
  sendEmail?: boolean;
  @ApiPropertyOptional({ default: 604800, minimum: 60, maximum: 31536000, example: 604800, description: 'Lifetime of the ticket' })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(31_536_000)
  expiresInSeconds?: number;
}

export class DeliveryDto {
  @ApiProperty({ enum: ['QUEUED', 'SENT', 'FAILED', 'NOT_SENT'], example: 'SENT' }) status!: string;
  @ApiProperty({ example: 1 }) attempts!: number;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'Why the last attempt failed' }) lastError!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 1700058625100, description: 'When the gateway took it (epoch ms)' }) sentAt!:
    number | null;
}

export class InvitationDto {
  @ApiProperty({ format: 'uuid', example: 'b4f1411f-bb12-4e8b-ad7b-f3475ad642cc' }) id!: string;
  @ApiProperty({ enum: ['profile', 'patient'], description: '`profile`: Oystehr-style link invite; `patient`: iCure createAndInviteUser' })
  kind!: string;
  @ApiProperty({ format: 'uuid', example: '0947dac5-6a61-4970-acc0-16183b93b731' }) userId!: string;
  @ApiProperty({ example: 'Jon Snow' }) name!: string;
  @ApiProperty({ nullable: true, type: String, example: 'jon.snow@clinic.example' }) email!: string | null;
  @ApiProperty({ example: 'Practitioner/b351faef-d81d-4a33-81a9-2e31bd54807e' }) profile!: string;
  @ApiProperty({ type: AccessPolicyDto, nullable: true }) accessPolicy!: AccessPolicyDto | null;
  @ApiProperty({ type: [String], example: [] }) roles!: string[];
  @ApiProperty({ enum: ['email', 'sms', 'link'], example: 'email' }) channel!: string;
  @ApiProperty({ enum: ['PENDING', 'ACCEPTED', 'EXPIRED', 'REVOKED'], example: 'PENDING' }) status!: string;
  @ApiProperty({ example: 1700663424896 }) expiresAt!: number;
  @ApiProperty({ example: 1700058624896 }) created!: number;
  @ApiPropertyOptional({
    example: 'https://id.example/invitations/accept#ticket=ybiipm3Bsc4W5iqah7x21Ndd0yxQAIab',
    description: 'Only in the answers that create a ticket (create, resend): the ticket is not stored',
  })
  invitationUrl?: string;
  @ApiPropertyOptional({ type: DeliveryDto, nullable: true }) delivery?: DeliveryDto | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'https://app.example/welcome',
    description: 'Where the invitation leads once accepted',
  })
  redirectUrl!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', example: null, description: 'The application the invitation names' })
  applicationId!: string | null;
}

export class InvitationListDto {
  @ApiProperty({ type: [InvitationDto] }) rows!: InvitationDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page', example: null })
  nextCursor!: string | null;
  @ApiProperty({ example: 3, description: 'Invitations matching the filter, all pages together' }) total!: number;
}

export class InvitationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['PENDING', 'ACCEPTED', 'EXPIRED', 'REVOKED'] })
  @IsOptional()
  @IsIn(['PENDING', 'ACCEPTED', 'EXPIRED', 'REVOKED'])
  status?: string;
  @ApiPropertyOptional({ enum: ['patient', 'profile'] }) @IsOptional() @IsIn(['patient', 'profile']) kind?: string;
  @ApiPropertyOptional({ example: 'jon.snow@clinic.example' }) @IsOptional() @IsString() @MaxLength(254) email?: string;
}

export class TicketInspectionDto {
  @ApiProperty({ example: true }) usable!: boolean;
  @ApiProperty({ enum: ['invitation', 'password-reset'], nullable: true, type: String, example: 'invitation' }) kind!: string | null;
  @ApiPropertyOptional({ enum: ['used', 'expired', 'revoked', 'unknown'], example: 'expired', description: 'Why the ticket is not usable' })
  reason?: string;
  @ApiProperty({ example: 'This link has expired; ask for a new one' }) message!: string;
  @ApiPropertyOptional({ example: 'jon.snow@clinic.example' }) login?: string;
  @ApiPropertyOptional({ example: 'Jon Snow' }) name?: string;
  @ApiPropertyOptional({ example: 1700663424896 }) expiresAt?: number;
  @ApiPropertyOptional({ example: 'Dr. Ada Lovelace', description: 'The name of who sent the invitation, to ask for a new one' })
  inviter?: string;
  @ApiPropertyOptional({ example: 'Molière Health', description: 'The name of the application the invitation leads to' })
  application?: string;
}

export class AcceptedInvitationDto extends TokenPairDto {
  @ApiPropertyOptional({ example: 'https://app.example/welcome', description: 'Where the invitation leads, when it names a place' })
  redirectUrl?: string;
}

/**
 * iCure's createAndInviteUser. A patient whose REGISTERING user's invitation expired or was revoked is invited again
 * (renewed) with that user.
 */
export class InvitePatientDto extends InvitationTargetDto {
  @ApiPropertyOptional({ enum: ['email', 'sms'], description: 'Default: email when the patient has one, else sms' })
  @IsOptional()
  @IsIn(['email', 'sms'])
  channel?: 'email' | 'sms';
  @ApiPropertyOptional({ default: 3600, minimum: 60, example: 3600, description: 'Lifetime of the token in the message' })
  @IsOptional()
  @IsInt()
  @Min(60)
  tokenValiditySeconds?: number;
  @ApiPropertyOptional({
    example: 'https://app.example/login',
    description: 'Link in the message; must be on an origin of ALLOWED_REDIRECT_ORIGINS (400 `REDIRECT_NOT_ALLOWED` otherwise)',
  })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2000)
  loginUrl?: string;
  @ApiPropertyOptional({ example: 'Molière Health', description: 'Shown on one line: line breaks and control characters are dropped' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  solutionName?: string;
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Admins only: the practitioner the invitation comes from (anyone else naming another practitioner gets 403)',
  })
  @IsOptional()
  @IsUUID('4')
  practitionerId?: string;
  @ApiPropertyOptional({
    type: MessageTemplateDto,
    description: 'Your own message instead of the default one (which carries `Login:` and `Token:` lines); see MessageTemplateDto',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => MessageTemplateDto)
  message?: MessageTemplateDto;
}

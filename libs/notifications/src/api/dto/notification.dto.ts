import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { PageQueryDto, REV_PATTERN } from '@careid/shared';
import { NOTIFICATION_STATUSES, NOTIFICATION_TYPES } from '../../domain/notification';

export class NotificationDto {
  @ApiProperty({ format: 'uuid', example: '9b2f3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' }) id!: string;
  @ApiProperty({ example: '1-0d1fa3b5c7e9f1a3b5c7d9e1f3a5b7c9' }) rev!: string;
  @ApiProperty({ example: 1700058625100 }) created!: number;
  @ApiProperty({ example: 1700058625100 }) modified!: number;
  @ApiProperty({ enum: NOTIFICATION_TYPES, example: 'NEW_USER_OWN_DATA_ACCESS' }) type!: string;
  @ApiProperty({ enum: NOTIFICATION_STATUSES, example: 'pending' }) status!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: "The patient's id for access requests" }) responsible!:
    string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The user who caused it (the patient user)' }) author!:
    string | null;
  @ApiProperty({ format: 'uuid', description: 'The data owner (practitioner) it is addressed to' }) recipient!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { publicKey: '30820122300d06092a86...' } }) properties!: Record<
    string,
    unknown
  >;
}

export class NotificationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: NOTIFICATION_STATUSES })
  @IsOptional()
  @IsIn(NOTIFICATION_STATUSES)
  status?: (typeof NOTIFICATION_STATUSES)[number];
  @ApiPropertyOptional({ description: 'Only notifications created after this time (epoch ms)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after?: number;
  @ApiPropertyOptional({ enum: NOTIFICATION_TYPES }) @IsOptional() @IsIn(NOTIFICATION_TYPES) type?: (typeof NOTIFICATION_TYPES)[number];
  @ApiPropertyOptional({ format: 'uuid', description: 'Only notifications about this patient' })
  @IsOptional()
  @IsUUID('all')
  responsible?: string;
}

export class NotificationStatusDto {
  @ApiProperty({ enum: NOTIFICATION_STATUSES, description: 'pending → ongoing → completed; pending|ongoing → cancelled' })
  @IsIn(NOTIFICATION_STATUSES)
  status!: (typeof NOTIFICATION_STATUSES)[number];

  @ApiPropertyOptional({
    description: 'When given, must be the current rev (409 otherwise)',
    example: '1-0d1fa3b5c7e9f1a3b5c7d9e1f3a5b7c9',
  })
  @IsOptional()
  @IsString()
  @Matches(REV_PATTERN, { message: 'rev must look like "<n>-<32 hex>"' })
  rev?: string;
}

export class NotificationListDto {
  @ApiProperty({ type: [NotificationDto] }) rows!: NotificationDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page', example: null })
  nextCursor!: string | null;
}

export class StreamTicketDto {
  @ApiProperty({
    description: 'Opens GET /notifications/stream?ticket=… once, within 30 s; never log it',
    example: 'kq3C9n0r1P1uWbYd6mO0l2Zb8y5vQx3sT7aJ4eHfN1g',
  })
  ticket!: string;
  @ApiProperty({ description: 'When the ticket expires (epoch ms)', example: 1700058655100 }) expiresAt!: number;
}

export class NotificationStreamQueryDto {
  @ApiPropertyOptional({
    description:
      'A one-time ticket from POST /notifications/stream-ticket, in place of the Authorization header (a browser’s EventSource cannot send one). ' +
      'Used, expired, unknown or malformed: 401 INVALID_STREAM_TICKET. Ignored when an Authorization header is sent.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  ticket?: string;

  @ApiPropertyOptional({
    description:
      'Resume after this event id, as the `Last-Event-ID` header does (which wins); for a new EventSource, which cannot send the header',
    example: '1042',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  lastEventId?: string;
}

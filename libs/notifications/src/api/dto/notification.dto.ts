import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Min } from 'class-validator';
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

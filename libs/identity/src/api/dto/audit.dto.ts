import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '@careid/shared';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Acting user id' }) @IsOptional() @IsUUID('all') actor?: string;
  @ApiPropertyOptional({ description: 'Target record id' }) @IsOptional() @IsString() @MaxLength(100) target?: string;
  @ApiPropertyOptional({ example: 'LOGIN_FAILED' }) @IsOptional() @IsString() @Matches(/^[A-Z_]{1,64}$/) type?: string;
  @ApiPropertyOptional({ description: 'Only events after this time (epoch ms)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after?: number;
}

export class AuditEventDto {
  @ApiProperty({ example: '1042' }) id!: string;
  @ApiProperty({ example: 1700058624896 }) occurred!: number;
  @ApiProperty({ example: 'LOGIN_SUCCEEDED' }) type!: string;
  @ApiProperty({ enum: ['success', 'failure', 'denied'], example: 'success' }) outcome!: string;
  @ApiProperty({ nullable: true, type: String, example: '1ad0454d-0554-4008-ac05-80c5cf847ad1' }) actorId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'johnkcq59ip2d' }) actorLogin!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'User' }) targetType!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '1ad0454d-0554-4008-ac05-80c5cf847ad1' }) targetId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '127.0.0.1' }) ip!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '6ffd6dcc-839a-46c2-ae37-a9a57cd8fe02' }) requestId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) details!: Record<string, unknown>;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '@careid/shared';

export class UserFilterDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Comma-separated user ids',
    example: 'a37c4073-f96e-440c-8757-57a3a0ef7daf,0947dac5-6a61-4970-acc0-16183b93b731',
  })
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((id: string) => id.trim())
          .filter(Boolean)
      : value,
  )
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  ids?: string[];

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('all') patientId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('all') healthcarePartyId?: string;

  @ApiPropertyOptional({ enum: ['ACTIVE', 'DISABLED', 'REGISTERING'] })
  @IsOptional()
  @IsIn(['ACTIVE', 'DISABLED', 'REGISTERING'])
  status?: 'ACTIVE' | 'DISABLED' | 'REGISTERING';

  @ApiPropertyOptional({ description: 'Login or email prefix (case-insensitive)', maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  q?: string;
}

export class UserCountFilterDto extends UserFilterDto {}

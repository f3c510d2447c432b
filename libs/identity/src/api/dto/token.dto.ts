import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Min } from 'class-validator';

export class CreateTokenDto {
  @ApiProperty({ example: 3600, minimum: 1, description: 'Seconds until the token expires (at most TOKEN_MAX_VALIDITY_SECONDS)' })
  @IsInt()
  @Min(1)
  validitySeconds!: number;
}

export class CreatedTokenDto {
  @ApiProperty({ example: 'Xq2V4nE1mR9o6kqk8d3Jw0bq1zS5yT7uA2cF4hK6mN8', description: 'Shown once; works as a password until it expires' })
  token!: string;
  @ApiProperty({ example: '3a632a54-6c8f-48da-9e6f-3e4b350afbb3', description: 'Identifies the token for listing and revocation' })
  key!: string;
  @ApiProperty({ example: 1700062224896, description: 'Expiry (epoch ms)' }) expiresAt!: number;
}

export class TokenInfoDto {
  @ApiProperty({ example: '3a632a54-6c8f-48da-9e6f-3e4b350afbb3' }) key!: string;
  @ApiProperty({ enum: ['temporary', 'long-lived', 'invitation'], example: 'temporary' }) kind!: string;
  @ApiProperty({ example: 1700058624896 }) creationTime!: number;
  @ApiProperty({ example: 3600 }) validity!: number;
  @ApiProperty({ example: 1700062224896 }) expiresAt!: number;
}

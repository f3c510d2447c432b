import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'johnkcq59ip2d' }) @IsString() @MinLength(1) @MaxLength(255) login!: string;
  @ApiProperty({ example: 'correct horse battery staple', description: 'The password, or a live authentication token' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  password!: string;
  @ApiPropertyOptional({ example: '123456', description: 'TOTP code, for users with use2fa' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{6}$/, { message: 'totp must be 6 digits' })
  totp?: string;
}

export class RefreshDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) refreshToken!: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'Short-lived JWT for `Authorization: Bearer`' }) accessToken!: string;
  @ApiProperty({ description: 'Rotating refresh token (single use)' }) refreshToken!: string;
  @ApiProperty({ example: 900, description: 'Seconds until the access token expires' }) expiresIn!: number;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
}

export class TotpSetupRequestDto {
  @ApiProperty({ description: 'The current password, to confirm the change' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  currentPassword!: string;
}

export class TotpSetupDto {
  @ApiProperty({ example: 'JBSWY3DPEHPK3PXP', description: 'Base32 secret, shown only now' }) secret!: string;
  @ApiProperty({ example: 'otpauth://totp/Careid:john?secret=JBSWY3DPEHPK3PXP&issuer=Careid' }) otpauthUrl!: string;
}

export class TotpCodeDto {
  @ApiProperty({ example: '123456' }) @IsString() @Matches(/^\d{6}$/, { message: 'code must be 6 digits' }) code!: string;
}

export class TotpDisableDto extends TotpCodeDto {
  @ApiProperty({ description: 'The current password, to confirm the change' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  currentPassword!: string;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { MESSAGE_LIMITS, MESSAGE_PLACEHOLDERS } from '../../domain/message-template';

const PLACEHOLDERS = MESSAGE_PLACEHOLDERS.map((name) => `{{${name}}}`).join(', ');

/** A caller's own invitation message (the SDK's ICureRegistrationEmail / ICureRegistrationSMS produce it). */
export class MessageTemplateDto {
  @ApiPropertyOptional({
    maxLength: MESSAGE_LIMITS.subject,
    example: 'Your {{solutionName}} account',
    description: `Email subject; placeholders ${PLACEHOLDERS} except {{token}}; made one line. Default: the standard subject`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MESSAGE_LIMITS.subject)
  subject?: string;

  @ApiPropertyOptional({
    maxLength: MESSAGE_LIMITS.text,
    example: 'Hello {{patientName}}, log in to {{solutionName}} as {{login}} with {{token}}.',
    description: `Plain-text body (the SMS itself for sms); must carry {{token}} (400 MESSAGE_TOKEN_MISSING). Placeholders: ${PLACEHOLDERS}; values are made one line. A custom text or html replaces both default bodies`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MESSAGE_LIMITS.text)
  text?: string;

  @ApiPropertyOptional({
    maxLength: MESSAGE_LIMITS.html,
    example: '<p>Hello {{patientName}}, your token: <code>{{token}}</code></p>',
    description: 'HTML body of an email (ignored for sms); must carry {{token}}; values are HTML-escaped',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MESSAGE_LIMITS.html)
  html?: string;
}

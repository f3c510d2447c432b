import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from './public.decorator';
import { ApiProblems } from '@careid/shared';
import { PasswordResetService } from '../application/password-reset.service';
import { AcceptedDto, AcceptTicketDto, PasswordResetRequestDto } from './dto/auth.dto';

const SAME_ANSWER: AcceptedDto = { message: 'If an account uses this email, a message with a reset link is on its way.' };

@ApiTags('authentication')
@Public()
@Controller('api/v1/auth/password-reset')
export class PasswordResetController {
  constructor(private readonly passwordReset: PasswordResetService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Ask for a password reset link',
    description:
      'Always the same 202 answer, in the same time, whether or not the email is known: the mail (to an ACTIVE user only, at most one per PASSWORD_RESET_MIN_INTERVAL_SECONDS) is prepared after the answer.',
  })
  @ApiAcceptedResponse({ type: AcceptedDto })
  @ApiProblems(400, 429)
  request(@Body() body: PasswordResetRequestDto): AcceptedDto {
    this.passwordReset.requestPasswordReset(body.email);
    return SAME_ANSWER;
  }

  @Post('confirm')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Set a new password with a reset ticket',
    description: "Ends every session and login token of the user and its other reset links, and clears the login's lockout.",
  })
  @ApiNoContentResponse({ description: 'Password set' })
  @ApiProblems(400, 410, 429)
  confirm(@Body() body: AcceptTicketDto): Promise<void> {
    return this.passwordReset.confirmPasswordReset(body.ticket, body.password);
  }
}

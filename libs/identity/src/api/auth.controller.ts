import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '@careid/shared';
import { ActivationService } from '../application/activation.service';
import { AuthenticationService } from '../application/authentication.service';
import { SessionsService } from '../application/sessions.service';
import { ActivateDto, ActivationDto, LoginDto, RefreshDto, TokenPairDto } from './dto/auth.dto';
import { Public } from './public.decorator';

@ApiTags('authentication')
@Public()
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly authentication: AuthenticationService,
    private readonly sessions: SessionsService,
    private readonly activation: ActivationService,
  ) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in with a password or a live authentication token',
    description:
      'Only ACTIVE users log in with a password; a live token also works for REGISTERING users. A wrong login and a wrong password get the same 401. Repeated failures lock the login (429 with Retry-After). Users with use2fa need `totp`.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 401, 429)
  login(@Body() body: LoginDto): Promise<TokenPairDto> {
    return this.authentication.login(body);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate a refresh token', description: 'Each refresh token works once; reusing one revokes its whole session.' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 401, 429)
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.sessions.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session of a refresh token' })
  @ApiNoContentResponse({ description: 'Logged out' })
  @ApiProblems(400, 429)
  logout(@Body() body: RefreshDto): Promise<void> {
    return this.sessions.logout(body.refreshToken);
  }

  @Post('activate')
  @HttpCode(200)
  @ApiOperation({
    summary: "An invited patient's first login (iCure's authenticateAndAskAccessToItsExistingData)",
    description:
      'Uses up the token from the invitation message, stores the public key on the patient, makes the user ACTIVE, returns a long-lived token with a session, and notifies every practitioner holding a delegation on the patient.',
  })
  @ApiOkResponse({ type: ActivationDto })
  @ApiProblems(400, 401, 429)
  activate(@Body() body: ActivateDto): Promise<ActivationDto> {
    return this.activation.activate(body.login, body.token, body.publicKey) as unknown as Promise<ActivationDto>;
  }
}

import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '@careid/shared';
import { ActivationService } from '../application/activation.service';
import { toUserDto } from './user.mapper';
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
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Log in with a password or a live authentication token',
    description:
      'Only ACTIVE users log in, with their password or a live token (a REGISTERING user activates with POST /auth/activate instead). A wrong login and a wrong password get the same 401. Repeated failures lock the login for new logins (429 with Retry-After); open sessions keep refreshing. Users with use2fa need `totp`, whichever the credential.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 401, 429)
  login(@Body() body: LoginDto): Promise<TokenPairDto> {
    return this.authentication.login(body);
  }

  @Post('refresh')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Rotate a refresh token', description: 'Each refresh token works once; reusing one revokes its whole session.' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 401, 429)
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.sessions.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End the session of a refresh token',
    description: 'Its refresh tokens and access tokens are refused from then on, on every instance, and its notification streams close.',
  })
  @ApiNoContentResponse({ description: 'Logged out' })
  @ApiProblems(400, 429)
  logout(@Body() body: RefreshDto): Promise<void> {
    return this.sessions.logout(body.refreshToken);
  }

  @Post('activate')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: "An invited patient's first login (iCure's authenticateAndAskAccessToItsExistingData)",
    description:
      'Uses up the token from the invitation message, stores the public key on the patient, makes the user ACTIVE, returns a long-lived token with a session, and notifies every practitioner holding a delegation on the patient. Runs once per user: a used or unknown token gets 401, a live token of an ACTIVE patient 409 ALREADY_ACTIVE.',
  })
  @ApiOkResponse({ type: ActivationDto })
  @ApiProblems(400, 401, 409, 429)
  async activate(@Body() body: ActivateDto): Promise<ActivationDto> {
    const activated = await this.activation.activate(body.login, body.token, body.publicKey);
    return { ...activated, user: toUserDto(activated.user) };
  }
}

import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '@careid/shared';
import { ActivationService } from '../application/activation.service';
import { toUserDto } from './user.mapper';
import { SessionsService, TokenPair } from '../application/sessions.service';
import { ActivateDto, ActivationDto, LoginDto, RefreshDto, TokenExchangeDto, TokenPairDto } from './dto/auth.dto';
import { LogsInWith, OpenedSession } from './login-methods.guard';
import { Public } from './public.decorator';

@ApiTags('authentication')
@Public()
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly activation: ActivationService,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Log in with a password or a live authentication token',
    description:
      'Only ACTIVE users log in, with their password or a live token (a REGISTERING user activates with POST /auth/activate instead); users of an external identity provider use POST /auth/token-exchange. A wrong login and a wrong password get the same 401. Repeated failures lock the login for new logins (429 with Retry-After); open sessions keep refreshing. Users with use2fa need `totp`, whichever the credential.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 401, 429)
  @LogsInWith(LoginDto, 'login-token', 'password')
  login(@OpenedSession() session: TokenPair): TokenPairDto {
    return session;
  }

  @Post('token-exchange')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: "Exchange an external identity provider's ID token for a session (RFC 8693 in JSON)",
    description:
      "`subjectToken` is an ID token the frontend got from the provider `provider` (see /identity-providers). It must verify against the provider's keys (asymmetric algorithms only), with `iss` the provider's issuer, `aud` containing its clientId, unexpired. It finds its user by the provider's `sub` once linked; the first time by an email the provider marks `email_verified` (linking `sub` to that user), or, when the provider allows sign-up, creates an ACTIVE user with its defaultRoles. The answer is /auth/login's. Every refusal of the token or of its account is 401 FEDERATED_LOGIN_REFUSED (the audit trail says why); a disabled user 401 ACCOUNT_NOT_ACTIVE; an unknown provider 400 UNKNOWN_IDENTITY_PROVIDER; a provider whose keys cannot be fetched 503 IDENTITY_PROVIDER_UNAVAILABLE. The login lockout does not apply, nor Careid's TOTP unless the provider has requireTotp.",
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 401, 429, 503)
  @LogsInWith(TokenExchangeDto, 'federated-id-token')
  exchangeToken(@OpenedSession() session: TokenPair): TokenPairDto {
    return session;
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

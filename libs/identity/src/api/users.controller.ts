import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiPage, ApiProblems, DEFAULT_PAGE_SIZE, Page, UuidPipe } from '@careid/shared';
import { LoginTokensService } from '../application/login-tokens.service';
import { SessionsService } from '../application/sessions.service';
import { TwoFactorService } from '../application/two-factor.service';
import { UsersService } from '../application/users.service';
import type { Principal } from '../domain/principal';
import { toUserDto } from './user.mapper';
import { AdminOnly, CallerSession, CurrentSession, CurrentUser } from './current-user.decorator';
import { RequiresPermission, SelfOnly } from './permission.decorator';
import { TotpCodeDto, TotpDisableDto, TotpSetupDto, TotpSetupRequestDto } from './dto/auth.dto';
import { CreatedTokenDto, CreateTokenDto, TokenInfoDto } from './dto/token.dto';
import { UserCountFilterDto, UserFilterDto } from './dto/user-filter.dto';
import { AuthenticationTokenInfoDto, CountDto, DeletedDto, UserDto, UserWriteDto } from './dto/user.dto';
import { identityError } from '../domain/identity.errors';

@ApiTags('users')
@ApiBearerAuth('bearer')
@ApiProblems(401)
@ApiExtraModels(AuthenticationTokenInfoDto)
@Controller('api/v1/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly loginTokens: LoginTokensService,
    private readonly twoFactor: TwoFactorService,
    private readonly sessions: SessionsService,
  ) {}

  @Post()
  @AdminOnly()
  @RequiresPermission('User', 'create')
  @ApiOperation({ summary: 'Create a user (admin)', description: 'Login and email are unique among live users, case-insensitively.' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiProblems(400, 403)
  async create(@Body() body: UserWriteDto): Promise<UserDto> {
    return toUserDto(await this.users.create(body));
  }

  @Get('current')
  @SelfOnly()
  @ApiOperation({ summary: 'The logged-in user' })
  @ApiOkResponse({ type: UserDto })
  async current(@CurrentUser() actor: Principal): Promise<UserDto> {
    return toUserDto(await this.users.getVisible(actor.userId, actor));
  }

  @Get('count')
  @AdminOnly()
  @RequiresPermission('User', 'read')
  @ApiOperation({ summary: 'Count users matching a filter (admin)' })
  @ApiOkResponse({ type: CountDto })
  @ApiProblems(400, 403)
  async count(@Query() filter: UserCountFilterDto): Promise<CountDto> {
    const { limit: _limit, cursor: _cursor, ...criteria } = filter;
    return { count: await this.users.count(criteria) };
  }

  @Get('by-email/:email')
  @RequiresPermission('User', 'read')
  @ApiOperation({ summary: 'Get a user by email (case-insensitive)' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(404)
  async byEmail(@Param('email') email: string, @CurrentUser() actor: Principal): Promise<UserDto> {
    if (email.length > 254) throw identityError('USER_NOT_FOUND');
    return toUserDto(await this.users.getByEmailVisible(email, actor));
  }

  @Get()
  @AdminOnly()
  @RequiresPermission('User', 'read')
  @ApiOperation({ summary: 'Filter users (admin)', description: 'Keyset-paginated by id. `q` is a login or email prefix.' })
  @ApiPage(UserDto)
  @ApiProblems(400, 403)
  async filter(@Query() filter: UserFilterDto): Promise<Page<UserDto>> {
    const { limit, cursor, ...criteria } = filter;
    const page = await this.users.filter(criteria, limit ?? DEFAULT_PAGE_SIZE, cursor);
    return { rows: page.rows.map((user) => toUserDto(user)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequiresPermission('User', 'read')
  @ApiOperation({ summary: 'Get a user', description: 'Admins read anyone; other users only themselves (404 otherwise).' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(400, 404)
  async get(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<UserDto> {
    return toUserDto(await this.users.getVisible(id, actor));
  }

  @Put(':id')
  @RequiresPermission('User', 'update')
  @ApiOperation({
    summary: 'Modify a user',
    description:
      "Send the user as read, with changes and its `rev`. A stale rev gets 409. Admins may change anything (including another user's password); a user may change its own profile, and its email or password with `currentPassword`. A user changing its own password ends its other sessions and its login tokens; an admin setting it, or changing roles, status or access policy, ends all of them.",
  })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(400, 403, 404, 409)
  async modify(
    @Param('id', UuidPipe) id: string,
    @Body() body: UserWriteDto,
    @CurrentUser() actor: Principal,
    @CurrentSession() session: CallerSession,
  ): Promise<UserDto> {
    return toUserDto(await this.users.modify(id, body, actor, session.id));
  }

  @Delete(':id')
  @AdminOnly()
  @RequiresPermission('User', 'delete')
  @ApiOperation({
    summary: 'Delete a user (admin, soft delete)',
    description: 'The user can no longer log in; its login and email become free.',
  })
  @ApiOkResponse({ type: DeletedDto })
  @ApiProblems(400, 403, 404)
  delete(@Param('id', UuidPipe) id: string): Promise<DeletedDto> {
    return this.users.delete(id);
  }

  @Post(':id/tokens')
  @Header('cache-control', 'no-store')
  @RequiresPermission('User', 'update')
  @ApiOperation({
    summary: 'Create an authentication token',
    description:
      'For yourself whatever your role; admins for anyone (403 otherwise). The token is shown once. A session opened with a token mints tokens that expire no later than that token (`expiresAt` says when).',
  })
  @ApiCreatedResponse({ type: CreatedTokenDto })
  @ApiProblems(400, 403, 404)
  async createToken(
    @Param('id', UuidPipe) id: string,
    @Body() body: CreateTokenDto,
    @CurrentUser() actor: Principal,
    @CurrentSession() session: CallerSession,
  ): Promise<CreatedTokenDto> {
    await this.assertSelfOrAdmin(id, actor);
    const notAfter = await this.sessions.credentialExpiryOf(session.id);
    return this.loginTokens.create(id, body.validitySeconds, 'temporary', undefined, notAfter);
  }

  @Get(':id/tokens')
  @RequiresPermission('User', 'read')
  @ApiOperation({ summary: "List a user's live tokens (keys and expiry, never values)" })
  @ApiPage(TokenInfoDto)
  @ApiProblems(400, 403, 404)
  async listTokens(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<Page<TokenInfoDto>> {
    await this.assertSelfOrAdmin(id, actor);
    return { rows: await this.loginTokens.list(id), nextCursor: null };
  }

  @Delete(':id/tokens/:key')
  @RequiresPermission('User', 'update')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblems(400, 403, 404)
  async revokeToken(
    @Param('id', UuidPipe) id: string,
    @Param('key', UuidPipe) key: string,
    @CurrentUser() actor: Principal,
  ): Promise<void> {
    await this.assertSelfOrAdmin(id, actor);
    await this.loginTokens.revoke(id, key);
  }

  @Post('current/2fa/setup')
  @Header('cache-control', 'no-store')
  @SelfOnly()
  @ApiOperation({ summary: 'Start TOTP enrolment', description: 'Needs the current password. The secret is shown only in this answer.' })
  @ApiCreatedResponse({ type: TotpSetupDto })
  @ApiProblems(400, 403, 409, 429)
  setupTotp(@Body() body: TotpSetupRequestDto, @CurrentUser() actor: Principal): Promise<TotpSetupDto> {
    return this.twoFactor.setup(actor.userId, body.currentPassword);
  }

  @Post('current/2fa/enable')
  @SelfOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Confirm TOTP enrolment with a code', description: 'Ends your other sessions and your login tokens.' })
  @ApiNoContentResponse({ description: 'Two-factor login is on' })
  @ApiProblems(400, 409, 429)
  enableTotp(@Body() body: TotpCodeDto, @CurrentUser() actor: Principal, @CurrentSession() session: CallerSession): Promise<void> {
    return this.twoFactor.enable(actor.userId, body.code, session.id);
  }

  @Post('current/2fa/disable')
  @SelfOnly()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Turn TOTP off (needs a code and the current password)',
    description: 'Ends your other sessions and your login tokens.',
  })
  @ApiNoContentResponse({ description: 'Two-factor login is off' })
  @ApiProblems(400, 403, 409, 429)
  disableTotp(@Body() body: TotpDisableDto, @CurrentUser() actor: Principal, @CurrentSession() session: CallerSession): Promise<void> {
    return this.twoFactor.disable(actor.userId, body.code, body.currentPassword, session.id);
  }

  @Delete(':id/lockout')
  @AdminOnly()
  @RequiresPermission('User', 'update')
  @HttpCode(204)
  @ApiOperation({ summary: "Clear a user's login lockout (admin)" })
  @ApiNoContentResponse({ description: 'Cleared' })
  @ApiProblems(400, 403, 404)
  clearLockout(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<void> {
    return this.users.clearLockout(id, actor);
  }

  private async assertSelfOrAdmin(id: string, actor: Principal): Promise<void> {
    if (actor.userId !== id && !actor.isAdmin) throw identityError('FORBIDDEN', 'Only admins manage tokens of other users');
    await this.users.getVisible(id, actor);
  }
}

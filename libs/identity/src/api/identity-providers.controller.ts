import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiPage, ApiProblems, DEFAULT_PAGE_SIZE, Page, PageQueryDto } from '@careid/shared';
import { IdentityProvidersService } from '../application/federation/identity-providers.service';
import type { IdentityProvider } from '../domain/federation';
import { identityError } from '../domain/identity.errors';
import { AdminOnly } from './current-user.decorator';
import { IdentityProviderDto, IdentityProviderWriteDto } from './dto/identity-provider.dto';
import { RequiresPermission } from './permission.decorator';

const PATH = 'api/v1/identity-providers';

/** What an admin reads of a provider: everything but the client secret. */
function toIdentityProviderDto({ clientSecret, ...provider }: IdentityProvider): IdentityProviderDto {
  return { ...provider, hasClientSecret: clientSecret !== null };
}

/** An alias in a path that no provider could have is simply not found. */
function aliasOf(alias: string): string {
  if (alias.length > 63) throw identityError('IDENTITY_PROVIDER_NOT_FOUND');
  return alias;
}

/**
 * External identity providers (admin). Providers decide who may sign in as
 * which user: managing them is acting on users (`User:<action>`).
 */
@ApiTags('identity-providers')
@ApiBearerAuth('bearer')
@ApiProblems(401, 403)
@AdminOnly()
@Controller(PATH)
export class IdentityProvidersController {
  constructor(private readonly providers: IdentityProvidersService) {}

  @Post()
  @RequiresPermission('User', 'create')
  @ApiOperation({
    summary: 'Add an external OpenID provider (admin)',
    description:
      "Careid reads the issuer's /.well-known/openid-configuration and JWKS first: a provider it cannot read is refused with 400 IDENTITY_PROVIDER_UNREACHABLE. An alias already in use is 400 DUPLICATE_IDENTITY_PROVIDER. The client secret is stored encrypted and never returned.",
  })
  @ApiCreatedResponse({ type: IdentityProviderDto })
  @ApiProblems(400)
  async create(@Body() body: IdentityProviderWriteDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<IdentityProviderDto> {
    const created = await this.providers.create(body);
    void reply.header('location', `/${PATH}/${encodeURIComponent(created.alias)}`);
    return toIdentityProviderDto(created);
  }

  @Get()
  @RequiresPermission('User', 'read')
  @ApiOperation({ summary: 'List the identity providers (admin), by alias' })
  @ApiPage(IdentityProviderDto)
  @ApiProblems(400)
  async list(@Query() query: PageQueryDto): Promise<Page<IdentityProviderDto>> {
    const page = await this.providers.list(query.limit ?? DEFAULT_PAGE_SIZE, query.cursor);
    return { rows: page.rows.map(toIdentityProviderDto), nextCursor: page.nextCursor };
  }

  @Get(':alias')
  @RequiresPermission('User', 'read')
  @ApiOperation({ summary: 'Get an identity provider (admin)' })
  @ApiOkResponse({ type: IdentityProviderDto })
  @ApiProblems(404)
  async get(@Param('alias') alias: string): Promise<IdentityProviderDto> {
    return toIdentityProviderDto(await this.providers.get(aliasOf(alias)));
  }

  @Put(':alias')
  @RequiresPermission('User', 'update')
  @ApiOperation({
    summary: 'Modify an identity provider (admin)',
    description:
      'Send it as read, with changes and its `rev` (stale: 409). A field left out keeps its value; `clientSecret: null` removes the secret. The discovery document and keys are read again. A new issuer removes the identities linked at the provider (subjects are unique per issuer only).',
  })
  @ApiOkResponse({ type: IdentityProviderDto })
  @ApiProblems(400, 404, 409)
  async modify(@Param('alias') alias: string, @Body() body: IdentityProviderWriteDto): Promise<IdentityProviderDto> {
    return toIdentityProviderDto(await this.providers.modify(aliasOf(alias), body));
  }

  @Delete(':alias')
  @RequiresPermission('User', 'delete')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove an identity provider (admin)',
    description: 'Its users can no longer sign in through it, and their links to it are removed; sessions already open stay open.',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblems(404)
  delete(@Param('alias') alias: string): Promise<void> {
    return this.providers.delete(aliasOf(alias));
  }
}

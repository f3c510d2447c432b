import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiPage, ApiProblems, Page, UuidPipe } from '@careid/shared';
import { FederatedAccounts } from '../application/federation/federated-accounts';
import type { Principal } from '../domain/principal';
import { identityError } from '../domain/identity.errors';
import { CurrentUser } from './current-user.decorator';
import { FederatedIdentityDto } from './dto/identity-provider.dto';
import { RequiresPermission } from './permission.decorator';

/** A user's accounts at external identity providers: the user itself and admins see and remove them (404 for others). */
@ApiTags('users')
@ApiBearerAuth('bearer')
@ApiProblems(401)
@Controller('api/v1/users/:id/identities')
export class FederatedIdentitiesController {
  constructor(private readonly accounts: FederatedAccounts) {}

  @Get()
  @RequiresPermission('User', 'read')
  @ApiOperation({ summary: "List the user's linked identity provider accounts" })
  @ApiPage(FederatedIdentityDto)
  @ApiProblems(400, 404)
  async list(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<Page<FederatedIdentityDto>> {
    const identities = await this.accounts.listOf(id, actor);
    return {
      rows: identities.map(({ provider, subject, email, created }) => ({ provider, subject, email: email ?? undefined, created })),
      nextCursor: null,
    };
  }

  @Delete(':provider')
  @RequiresPermission('User', 'update')
  @HttpCode(204)
  @ApiOperation({
    summary: "Unlink the user's account at an identity provider",
    description: 'It no longer signs the user in; sessions it opened stay open. Signing in with it again links it again by verified email.',
  })
  @ApiNoContentResponse({ description: 'Unlinked' })
  @ApiProblems(400, 404)
  async unlink(@Param('id', UuidPipe) id: string, @Param('provider') provider: string, @CurrentUser() actor: Principal): Promise<void> {
    if (provider.length > 63) throw identityError('FEDERATED_IDENTITY_NOT_FOUND');
    await this.accounts.unlink(id, provider, actor);
  }
}

import { Controller, Get, Module, Param } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IdentityModule, Principal, Public, toUserView, UsersService } from '@careid/identity';
import { UuidPipe } from '@careid/shared';

/**
 * The bench's own route, mounted only by the bench's entry (bench/app/main.ts):
 * the same logic as `GET /api/v1/users/:id` without the JWT guard, so
 * `npm run bench` can measure what the guard costs. The caller is taken to be
 * the user itself, as in the guarded benchmark, so the same visibility rule
 * and query run.
 */
@Public()
@ApiExcludeController()
@Controller('api/v1/bench-unguarded/users')
class UnguardedUsersController {
  constructor(private readonly users: UsersService) {}

  @Get(':id')
  async get(@Param('id', UuidPipe) id: string) {
    return toUserView(await this.users.getVisible(id, selfPrincipal(id)));
  }
}

function selfPrincipal(userId: string): Principal {
  return {
    userId,
    login: '',
    roles: [],
    isAdmin: false,
    healthcarePartyId: null,
    patientId: null,
    dataOwnerId: null,
    accessPolicy: null,
    autoDelegations: {},
    sessionVersion: 0,
  };
}

@Module({ imports: [IdentityModule], controllers: [UnguardedUsersController] })
export class UnguardedUsersBenchModule {}

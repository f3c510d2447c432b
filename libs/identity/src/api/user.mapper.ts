import { withoutUndefined } from '@careid/shared';
import type { User } from '../domain/user';
import type { AccessPolicyDto } from './dto/access-policy.dto';
import type { UserDto } from './dto/user.dto';

/** The JSON a client sees: iCure's shape, absent values left out, the password masked, secrets never. */
export function toUserDto(user: User): UserDto {
  const view: UserDto = {
    id: user.id,
    rev: user.rev,
    created: user.created,
    deletionDate: user.deletionDate ?? undefined,
    name: user.name ?? undefined,
    properties: user.properties,
    permissions: user.permissions,
    roles: user.roles,
    type: user.type,
    status: user.status,
    login: user.login,
    passwordHash: user.passwordHash ? '*' : undefined,
    use2fa: user.use2fa,
    groupId: user.groupId,
    healthcarePartyId: user.healthcarePartyId ?? undefined,
    patientId: user.patientId ?? undefined,
    autoDelegations: user.autoDelegations,
    createdDate: user.createdDate ?? undefined,
    termsOfUseDate: user.termsOfUseDate ?? undefined,
    email: user.email ?? undefined,
    authenticationTokens: user.authenticationTokens,
    sharingDataWith: user.sharingDataWith,
    accessPolicy: (user.accessPolicy satisfies AccessPolicyDto | null) ?? undefined,
  };
  return withoutUndefined(view);
}

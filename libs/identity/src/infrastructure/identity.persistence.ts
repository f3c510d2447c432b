import { Persistence } from '@careid/shared';
import { CreateIdentity1795400000000 } from './migrations/1795400000000-CreateIdentity';
import { RefreshTokensWithoutUserLock1795700000000 } from './migrations/1795700000000-RefreshTokensWithoutUserLock';
import { CredentialLifecycle1795800000000 } from './migrations/1795800000000-CredentialLifecycle';
import { RekeyIdentifiers1796300000000 } from './migrations/1796300000000-RekeyIdentifiers';
import { SeededAdmin1796400000000 } from './migrations/1796400000000-SeededAdmin';
import { TicketsOwnedByIdentity1796500000000 } from './migrations/1796500000000-TicketsOwnedByIdentity';
import { Federation1796619000000 } from './migrations/1796619000000-Federation';
import { StreamTickets1796641700000 } from './migrations/1796641700000-StreamTickets';
import { StreamTicketEntity } from './stream-ticket.entity';
import { FederatedIdentityEntity, IdentityProviderEntity } from './federation.entities';
import { SeededAdminEntity } from './seeded-admin.entity';
import { TicketEntity } from './ticket.entity';
import { AuditEventEntity, LoginFailureEntity, RefreshTokenEntity, UserTokenEntity } from './token.entities';
import { UserEntity } from './user.entity';

export const identityPersistence: Persistence = {
  entities: [
    UserEntity,
    UserTokenEntity,
    RefreshTokenEntity,
    LoginFailureEntity,
    AuditEventEntity,
    SeededAdminEntity,
    TicketEntity,
    IdentityProviderEntity,
    FederatedIdentityEntity,
    StreamTicketEntity,
  ],
  migrations: [
    CreateIdentity1795400000000,
    RefreshTokensWithoutUserLock1795700000000,
    CredentialLifecycle1795800000000,
    RekeyIdentifiers1796300000000,
    SeededAdmin1796400000000,
    TicketsOwnedByIdentity1796500000000,
    Federation1796619000000,
    StreamTickets1796641700000,
  ],
};

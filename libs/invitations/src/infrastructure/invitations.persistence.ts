import { Persistence } from '@careid/shared';
import { InvitationEntity, InvitationJobEntity, InvitationJobItemEntity, OutboxMessageEntity } from './invitation.entities';
import { CreateInvitations1795500000000 } from './migrations/1795500000000-CreateInvitations';
import { RekeyInvitationEmails1796300001000 } from './migrations/1796300001000-RekeyInvitationEmails';
import { InvitationLifecycle1796641800000 } from './migrations/1796641800000-InvitationLifecycle';
import { CustomInvitationMessages1796660170000 } from './migrations/1796660170000-CustomInvitationMessages';
import { CreateInvitationJobs1796660180000 } from './migrations/1796660180000-CreateInvitationJobs';
import { ClaimOutboxMessagesInBatches1796660190000 } from './migrations/1796660190000-ClaimOutboxMessagesInBatches';
import { ComposedOutboxMessages1796660200000 } from './migrations/1796660200000-ComposedOutboxMessages';

export const invitationsPersistence: Persistence = {
  entities: [OutboxMessageEntity, InvitationEntity, InvitationJobEntity, InvitationJobItemEntity],
  migrations: [
    CreateInvitations1795500000000,
    RekeyInvitationEmails1796300001000,
    InvitationLifecycle1796641800000,
    CustomInvitationMessages1796660170000,
    CreateInvitationJobs1796660180000,
    ClaimOutboxMessagesInBatches1796660190000,
    ComposedOutboxMessages1796660200000,
  ],
};

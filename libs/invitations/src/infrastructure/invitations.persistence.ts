import { Persistence } from '@careid/shared';
import { InvitationEntity, InvitationJobEntity, InvitationJobItemEntity, OutboxMessageEntity } from './invitation.entities';
import { CreateInvitations1795500000000 } from './migrations/1795500000000-CreateInvitations';
import { RekeyInvitationEmails1796300001000 } from './migrations/1796300001000-RekeyInvitationEmails';
import { CreateInvitationJobs1796610180000 } from './migrations/1796610180000-CreateInvitationJobs';
import { ClaimOutboxMessagesInBatches1796610190000 } from './migrations/1796610190000-ClaimOutboxMessagesInBatches';

export const invitationsPersistence: Persistence = {
  entities: [OutboxMessageEntity, InvitationEntity, InvitationJobEntity, InvitationJobItemEntity],
  migrations: [
    CreateInvitations1795500000000,
    RekeyInvitationEmails1796300001000,
    CreateInvitationJobs1796610180000,
    ClaimOutboxMessagesInBatches1796610190000,
  ],
};

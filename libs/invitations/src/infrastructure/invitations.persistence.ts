import { Persistence } from '@careid/shared';
import { InvitationEntity, OutboxMessageEntity } from './invitation.entities';
import { CreateInvitations1795500000000 } from './migrations/1795500000000-CreateInvitations';
import { RekeyInvitationEmails1796300001000 } from './migrations/1796300001000-RekeyInvitationEmails';

export const invitationsPersistence: Persistence = {
  entities: [OutboxMessageEntity, InvitationEntity],
  migrations: [CreateInvitations1795500000000, RekeyInvitationEmails1796300001000],
};

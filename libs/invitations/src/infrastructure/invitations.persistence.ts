import { Persistence } from '@careid/shared';
import { InvitationEntity, OutboxMessageEntity } from './invitation.entities';
import { CreateInvitations1795500000000 } from './migrations/1795500000000-CreateInvitations';
import { RekeyInvitationEmails1796300001000 } from './migrations/1796300001000-RekeyInvitationEmails';
import { InvitationLifecycle1796641800000 } from './migrations/1796641800000-InvitationLifecycle';

export const invitationsPersistence: Persistence = {
  entities: [OutboxMessageEntity, InvitationEntity],
  migrations: [CreateInvitations1795500000000, RekeyInvitationEmails1796300001000, InvitationLifecycle1796641800000],
};

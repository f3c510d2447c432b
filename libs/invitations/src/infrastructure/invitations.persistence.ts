import { Persistence } from '@careid/shared';
import { InvitationEntity, OutboxMessageEntity, TicketEntity } from './invitation.entities';
import { CreateInvitations1795500000000 } from './migrations/1795500000000-CreateInvitations';

export const invitationsPersistence: Persistence = {
  entities: [OutboxMessageEntity, InvitationEntity, TicketEntity],
  migrations: [CreateInvitations1795500000000],
};

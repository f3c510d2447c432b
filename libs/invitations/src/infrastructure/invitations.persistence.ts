import { Persistence } from '@careid/shared';
import { CreateInvitations1795500000000 } from './migrations/1795500000000-CreateInvitations';

export const invitationsPersistence: Persistence = {
  entities: [],
  migrations: [CreateInvitations1795500000000],
};

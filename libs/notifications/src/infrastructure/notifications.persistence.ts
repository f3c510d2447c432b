import { Persistence } from '@careid/shared';
import { CreateNotifications1795600000000 } from './migrations/1795600000000-CreateNotifications';

export const notificationsPersistence: Persistence = {
  entities: [],
  migrations: [CreateNotifications1795600000000],
};

import { Persistence } from '@careid/shared';
import { CreateNotifications1795600000000 } from './migrations/1795600000000-CreateNotifications';
import { NotificationRecipientKind1796200001000 } from './migrations/1796200001000-NotificationRecipientKind';
import { NotificationSequence1796641700100 } from './migrations/1796641700100-NotificationSequence';
import { NotificationEntity } from './notification.entity';

export const notificationsPersistence: Persistence = {
  entities: [NotificationEntity],
  migrations: [CreateNotifications1795600000000, NotificationRecipientKind1796200001000, NotificationSequence1796641700100],
};

import { DomainError } from '@careid/shared';

export const NOTIFICATION_TYPES = ['NEW_USER_OWN_DATA_ACCESS', 'OTHER'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
export const NOTIFICATION_STATUSES = ['pending', 'ongoing', 'completed', 'cancelled'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export interface Notification {
  id: string;
  rev: string;
  created: number;
  modified: number;
  type: NotificationType;
  status: NotificationStatus;
  responsible: string | null;
  author: string | null;
  recipient: string;
  properties: Record<string, unknown>;
}

/** pending → ongoing → completed; pending | ongoing → cancelled. Anything else is refused. */
const ALLOWED_FROM: Record<NotificationStatus, NotificationStatus[]> = {
  pending: [],
  ongoing: ['pending'],
  completed: ['ongoing'],
  cancelled: ['pending', 'ongoing'],
};

export function statusesThatMayBecome(target: NotificationStatus): NotificationStatus[] {
  return ALLOWED_FROM[target];
}

export function invalidTransition(from: NotificationStatus, to: NotificationStatus): DomainError {
  return DomainError.conflict('INVALID_STATUS_TRANSITION', `A ${from} notification cannot become ${to}`);
}

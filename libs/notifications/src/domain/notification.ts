import type { Principal } from '@careid/identity';
import { DataOwnerKind, DomainError, domainError, SharedErrors } from '@careid/shared';
import { NotificationsErrors } from './notifications.errors';

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

/** A notification with its sequence number (decimal), the `id:` of its Server-Sent Event. */
export interface SequencedNotification {
  seq: string;
  notification: Notification;
}

/**
 * Whom a notification is addressed to: a data owner's id and its kind. Both must match the reader's, so that an id
 * that ever named a patient and a practitioner at once would still not show one the other's notifications.
 */
export interface Addressee {
  recipient: string;
  recipientKind: DataOwnerKind;
}

/** The data owner the caller stands for, as an addressee; null for a user that stands for none. */
export function addresseeOf(actor: Principal): Addressee | null {
  if (actor.healthcarePartyId) return { recipient: actor.healthcarePartyId, recipientKind: 'practitioner' };
  if (actor.patientId) return { recipient: actor.patientId, recipientKind: 'patient' };
  return null;
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
  return domainError(NotificationsErrors.INVALID_STATUS_TRANSITION, `A ${from} notification cannot become ${to}`);
}

/** A stream's event id: the decimal sequence number of a notification. */
const EVENT_ID = /^\d{1,18}$/;

/**
 * Where a stream resumes: the `Last-Event-ID` header (an EventSource sends it when it reconnects), else the
 * `lastEventId` query parameter (a new EventSource, e.g. opened with a new ticket, cannot send the header).
 */
export function resumePoint(header: string | string[] | undefined, query: string | undefined): string | undefined {
  const value = header ?? query;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !EVENT_ID.test(value))
    throw domainError(SharedErrors.VALIDATION_FAILED, SharedErrors.VALIDATION_FAILED.message, {
      errors: [{ field: header !== undefined ? 'Last-Event-ID' : 'lastEventId', message: 'must be the id of an event of this stream' }],
    });
  return value;
}

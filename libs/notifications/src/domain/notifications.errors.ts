import { defineErrorCodes } from '@careid/shared';

/** Every way the notifications context says no. */
export const NotificationsErrors = defineErrorCodes({
  NOTIFICATION_NOT_FOUND: { code: 'NOTIFICATION_NOT_FOUND', status: 404, message: 'No such notification' },
  REVISION_CONFLICT: { code: 'REVISION_CONFLICT', status: 409, message: 'The notification changed meanwhile; reload it' },
  INVALID_STATUS_TRANSITION: { code: 'INVALID_STATUS_TRANSITION', status: 409, message: 'The notification cannot move to this status' },
});

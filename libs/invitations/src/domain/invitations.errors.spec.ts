import { STATUS_BY_KIND } from '@careid/shared';
import { INVITATIONS_ERRORS, InvitationsErrorCode, invitationsError } from './invitations.errors';

describe('invitations error catalogue', () => {
  it('gives every code the status and default message its entry names', () => {
    for (const code of Object.keys(INVITATIONS_ERRORS) as InvitationsErrorCode[]) {
      const error = invitationsError(code);
      expect(error.code).toBe(code);
      expect(STATUS_BY_KIND[error.kind]).toBe(INVITATIONS_ERRORS[code].status);
      expect(error.message).toBe(INVITATIONS_ERRORS[code].message);
    }
  });
});

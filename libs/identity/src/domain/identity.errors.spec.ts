import { STATUS_BY_KIND } from '@careid/shared';
import { IDENTITY_ERRORS, IdentityErrorName, identityError } from './identity.errors';

describe('identity error catalogue', () => {
  it('gives every code the status its entry names', () => {
    for (const name of Object.keys(IDENTITY_ERRORS) as IdentityErrorName[]) {
      const error = identityError(name);
      expect(STATUS_BY_KIND[error.kind]).toBe(IDENTITY_ERRORS[name].status);
      expect(error.message).toBe(IDENTITY_ERRORS[name].message);
    }
  });

  it('keeps TOTP_INVALID a 401 at login and a 400 elsewhere', () => {
    expect(identityError('LOGIN_TOTP_INVALID')).toMatchObject({ code: 'TOTP_INVALID', kind: 'unauthenticated' });
    expect(identityError('TOTP_INVALID')).toMatchObject({ code: 'TOTP_INVALID', kind: 'invalid' });
  });

  it('carries a throw site message and a retry delay', () => {
    const error = identityError('LOGIN_LOCKED', undefined, { retryAfterSeconds: 7 });
    expect(error).toMatchObject({ code: 'LOGIN_LOCKED', kind: 'too-many', extras: { retryAfterSeconds: 7 } });
    expect(identityError('FORBIDDEN', 'Only admins').message).toBe('Only admins');
  });
});

/**
 * What ends what: for each credential event, the credentials it ends at once
 * (the contract's "Credential lifecycle" table). CredentialLifecycle applies
 * a row; every flow that raises one of these events goes through it.
 */
export type CredentialEvent =
  'logout' | 'password-changed' | 'password-set-by-admin' | 'password-reset' | 'two-factor-changed' | 'email-changed' | 'user-changed';

export interface CredentialEnds {
  /** `this`: the calling session; `others`: every session but the calling one; `all`: every session of the user. */
  sessions: 'none' | 'this' | 'others' | 'all';
  /** Login tokens (`POST /users/:id/tokens`, activation's long-lived token). */
  loginTokens: boolean;
  /** Unused password-reset links. */
  resetTickets: boolean;
  /** The login's lockout counters. */
  clearsLockout: boolean;
}

export const CREDENTIAL_LIFECYCLE: Readonly<Record<CredentialEvent, CredentialEnds>> = {
  logout: { sessions: 'this', loginTokens: false, resetTickets: false, clearsLockout: false },
  'password-changed': { sessions: 'others', loginTokens: true, resetTickets: false, clearsLockout: false },
  'password-set-by-admin': { sessions: 'all', loginTokens: true, resetTickets: true, clearsLockout: false },
  'password-reset': { sessions: 'all', loginTokens: true, resetTickets: true, clearsLockout: true },
  'two-factor-changed': { sessions: 'others', loginTokens: true, resetTickets: false, clearsLockout: false },
  // Links already mailed went to the old address.
  'email-changed': { sessions: 'none', loginTokens: false, resetTickets: true, clearsLockout: false },
  // Disabled, deleted, or roles, status, access policy or data owner changed.
  'user-changed': { sessions: 'all', loginTokens: true, resetTickets: true, clearsLockout: false },
};

import { DomainError, DomainErrorKind, FieldProblem, STATUS_BY_KIND } from '@careid/shared';

/**
 * Every way the identity context says no: the code, its HTTP status and its default message (a throw site may
 * say more, e.g. which field). The DUPLICATE_* codes and the two *_ALREADY_HAS_USER come from unique indexes.
 */
export const IDENTITY_ERRORS = {
  UNAUTHENTICATED: { status: 401, message: 'A valid access token is required (Authorization: Bearer <token>)' },
  ACCESS_TOKEN_EXPIRED: { status: 401, message: 'The access token has expired; refresh it' },
  INVALID_ACCESS_TOKEN: { status: 401, message: 'The access token is not valid' },
  SESSION_REVOKED: { status: 401, message: 'This session has ended; log in again' },
  SESSION_EXPIRED: { status: 401, message: 'The session has expired; log in again' },
  INVALID_REFRESH_TOKEN: { status: 401, message: 'The refresh token is not valid' },
  INVALID_CREDENTIALS: { status: 401, message: 'The login or the password is not correct' },
  ACCOUNT_NOT_ACTIVE: { status: 401, message: 'This account cannot log in' },
  INVALID_ACTIVATION: { status: 401, message: 'The login or the token is not valid (tokens work once and expire)' },
  TOTP_REQUIRED: { status: 401, message: 'This account needs a TOTP code (`totp`)' },
  /** A wrong code at login is an authentication failure (401); when turning 2FA on or off it is a bad request (400). */
  LOGIN_TOTP_INVALID: { code: 'TOTP_INVALID', status: 401, message: 'The TOTP code is not valid' },
  TOTP_INVALID: { status: 400, message: 'The TOTP code is not valid' },
  LOGIN_LOCKED: { status: 429, message: 'Too many failed attempts for this login; try again later' },
  FORBIDDEN: { status: 403, message: 'Your role or access policy does not allow this operation' },
  FORBIDDEN_CHANGE: { status: 403, message: 'Only an admin may change these fields' },
  CURRENT_PASSWORD_INVALID: { status: 403, message: 'The current password is not correct' },
  CURRENT_PASSWORD_REQUIRED: { status: 400, message: 'Changing your own email or password needs your current password' },
  USER_NOT_FOUND: { status: 404, message: 'No such user' },
  TOKEN_NOT_FOUND: { status: 404, message: 'No such token' },
  REVISION_CONFLICT: { status: 409, message: 'The user changed meanwhile; try again' },
  ALREADY_ACTIVE: { status: 409, message: 'This account is already active; log in instead' },
  TOTP_ALREADY_ENABLED: { status: 409, message: 'Two-factor login is already on; disable it first' },
  TOTP_SETUP_REQUIRED: { status: 409, message: 'Start with /users/current/2fa/setup' },
  TOTP_NOT_ENABLED: { status: 409, message: 'Two-factor login is not on' },
  LOGIN_REQUIRED: { status: 400, message: 'A user needs a login (or an email to use as login)' },
  REV_REQUIRED: { status: 400, message: 'A modification must carry the rev it is based on' },
  ID_MISMATCH: { status: 400, message: 'The body id differs from the path id' },
  INVALID_EMAIL: { status: 400, message: 'This is not a valid email address' },
  INVALID_PUBLIC_KEY: { status: 400, message: 'publicKey must be a hex-encoded SPKI RSA public key' },
  INVALID_TOKEN_VALIDITY: { status: 400, message: 'validitySeconds is out of range' },
  PASSWORD_TOO_SHORT: { status: 400, message: 'The password is too short' },
  PASSWORD_TOO_LONG: { status: 400, message: 'The password is too long' },
  PASSWORD_EQUALS_LOGIN: { status: 400, message: 'The password must not be the login' },
  PASSWORD_TOO_COMMON: { status: 400, message: 'This password is one of the 10,000 most common passwords: choose another' },
  ONE_DATA_OWNER: { status: 400, message: 'A user stands for a practitioner or a patient, not both' },
  PRACTITIONER_NOT_FOUND: { status: 400, message: 'healthcarePartyId does not name an existing practitioner' },
  PATIENT_NOT_FOUND: { status: 400, message: 'patientId does not name an existing patient' },
  UNKNOWN_DATA_OWNER: { status: 400, message: 'autoDelegations names no existing patient or practitioner' },
  DUPLICATE_LOGIN: { status: 400, message: 'A user with this login already exists' },
  DUPLICATE_EMAIL: { status: 400, message: 'A user with this email already exists' },
  DUPLICATE_ID: { status: 400, message: 'A user with this id already exists' },
  PATIENT_ALREADY_HAS_USER: { status: 400, message: 'This patient already has a user' },
  PRACTITIONER_ALREADY_HAS_USER: { status: 400, message: 'This practitioner already has a user' },
  TICKET_UNKNOWN: { status: 400, message: 'This link is not valid' },
  TICKET_USED: { status: 410, message: 'This link has already been used' },
  TICKET_EXPIRED: { status: 410, message: 'This link has expired; ask for a new one' },
  TICKET_REVOKED: { status: 410, message: 'This link has been withdrawn; ask for a new one' },
  /** Unknown, used, expired or malformed: the same answer, and nothing to learn about which. */
  INVALID_STREAM_TICKET: { status: 401, message: 'The stream ticket is not valid (tickets work once, for 30 s); ask for a new one' },
  /** Every refused token exchange, whatever the reason (the audit trail keeps it): nothing to learn about accounts. */
  FEDERATED_LOGIN_REFUSED: { status: 401, message: "The identity provider's ID token does not open a session here" },
  UNKNOWN_IDENTITY_PROVIDER: { status: 400, message: '`provider` names no identity provider configured here' },
  IDENTITY_PROVIDER_NOT_FOUND: { status: 404, message: 'No such identity provider' },
  IDENTITY_PROVIDER_UNREACHABLE: {
    status: 400,
    message: "The issuer's OpenID configuration (/.well-known/openid-configuration) could not be read or is not valid",
  },
  IDENTITY_PROVIDER_UNAVAILABLE: { status: 503, message: "The identity provider's keys could not be fetched; retry" },
  INVALID_ISSUER: {
    status: 400,
    message: 'issuer must be an https URL (http only on 127.0.0.1, [::1] or localhost), without query or fragment',
  },
  DEFAULT_ROLE_NOT_ALLOWED: { status: 400, message: 'defaultRoles may not grant ADMIN' },
  ALIAS_MISMATCH: { status: 400, message: 'The body alias differs from the path alias (an alias cannot change)' },
  DUPLICATE_IDENTITY_PROVIDER: { status: 400, message: 'An identity provider with this alias already exists' },
  FEDERATED_IDENTITY_NOT_FOUND: { status: 404, message: 'This user has no identity linked at that provider' },
} as const satisfies Record<string, { code?: string; status: number; message: string }>;

export type IdentityErrorName = keyof typeof IDENTITY_ERRORS;

const KIND_BY_STATUS = new Map(Object.entries(STATUS_BY_KIND).map(([kind, status]) => [status, kind as DomainErrorKind]));

/** The DomainError of a catalogue entry; `message` replaces the default when the throw site knows more. */
export function identityError(
  name: IdentityErrorName,
  message?: string,
  extras: { errors?: FieldProblem[]; retryAfterSeconds?: number } = {},
): DomainError {
  const entry: { code?: string; status: number; message: string } = IDENTITY_ERRORS[name];
  return new DomainError(entry.code ?? name, message ?? entry.message, KIND_BY_STATUS.get(entry.status), extras);
}

import { DomainError, DomainErrorKind, FieldProblem, STATUS_BY_KIND } from '@careid/shared';

/**
 * Every way the invitations context says no: the code, its HTTP status and its default message (a throw site may
 * say more). Codes of identity's rules (an invalid email, a weak password) come from identity's catalogue.
 */
export const INVITATIONS_ERRORS = {
  PRACTITIONERS_ONLY: { status: 403, message: 'Only practitioners invite their patients' },
  ADMINS_AND_PRACTITIONERS_ONLY: {
    status: 403,
    message: 'Only admins, and practitioners for the patients they invited, manage invitations',
  },
  FORBIDDEN_CHANGE: { status: 403, message: 'Only an admin may name the inviting practitioner (practitionerId)' },
  PRACTITIONER_REQUIRED: { status: 400, message: 'An admin inviting a patient names the inviting practitioner (`practitionerId`)' },
  PRACTITIONER_NOT_FOUND: { status: 400, message: 'The inviting practitioner does not exist' },
  PRACTITIONER_HAS_NO_EMAIL: {
    status: 400,
    message: 'Add a valid email address to your practitioner profile: invitations are sent with it as reply-to',
  },
  PRACTITIONER_HAS_NO_MOBILE: { status: 400, message: 'Add a mobile number to your practitioner profile to invite by SMS' },
  PATIENT_HAS_NO_CONTACT: {
    status: 400,
    message: 'The patient has neither an email address nor a mobile number to send the invitation to',
  },
  PATIENT_HAS_NO_EMAIL: { status: 400, message: 'The patient has no email address to send the invitation to' },
  PATIENT_HAS_NO_MOBILE: { status: 400, message: 'The patient has no mobile number to send the invitation to' },
  PATIENT_ALREADY_HAS_USER: { status: 400, message: 'This patient already has a user' },
  INVALID_EMAIL: { status: 400, message: "The patient's email address is not one an invitation can be sent to" },
  EMAIL_ALREADY_USED: { status: 400, message: 'Another user already uses this email address' },
  MOBILE_ALREADY_USED: { status: 400, message: 'Another user already uses this mobile number' },
  INVALID_TOKEN_VALIDITY: { status: 400, message: 'tokenValiditySeconds is too long' },
  REDIRECT_NOT_ALLOWED: { status: 400, message: 'The URL must be on one of the origins this service allows' },
  PROFILE_NOT_FOUND: { status: 400, message: 'No profile with this id' },
  EMAIL_ALREADY_REGISTERED: { status: 409, message: 'A user with this email already exists' },
  INVITATION_PENDING: { status: 409, message: 'This email already has a pending invitation; resend it instead' },
  INVITATION_NOT_FOUND: { status: 404, message: 'No such invitation' },
  INVITATION_NOT_PENDING: { status: 409, message: 'The invitation is no longer pending' },
  PROFILE_MISMATCH: {
    status: 409,
    message: "This email's invited user stands for another profile: invite it with that profile, or delete the user first",
  },
  APPLICATION_NOT_FOUND: { status: 404, message: 'No registered application with this id' },
  NOT_FOUND: { status: 404, message: 'No such file' },
  INVALID_MESSAGE_TEMPLATE: { status: 400, message: 'The message template is not one that can be sent' },
  UNKNOWN_PLACEHOLDER: { status: 400, message: 'The message template names a placeholder that does not exist' },
  MESSAGE_TOKEN_MISSING: { status: 400, message: 'The message template must carry {{token}}' },
  INVITATION_JOB_NOT_FOUND: { status: 404, message: 'No such invitation job' },
} as const satisfies Record<string, { status: number; message: string }>;

export type InvitationsErrorCode = keyof typeof INVITATIONS_ERRORS;

const KIND_BY_STATUS = new Map(Object.entries(STATUS_BY_KIND).map(([kind, status]) => [status, kind as DomainErrorKind]));

/** The DomainError of a catalogue entry; `message` replaces the default when the throw site knows more. */
export function invitationsError(code: InvitationsErrorCode, message?: string, extras: { errors?: FieldProblem[] } = {}): DomainError {
  const entry = INVITATIONS_ERRORS[code];
  return new DomainError(code, message ?? entry.message, KIND_BY_STATUS.get(entry.status), extras);
}

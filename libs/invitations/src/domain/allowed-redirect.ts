import { invitationsError } from './invitations.errors';

/**
 * A link a message or an answer sends people to (`loginUrl`, `redirectUrl`)
 * must be on one of the deployment's own origins (ALLOWED_REDIRECT_ORIGINS),
 * so that an invitation cannot send a patient to a look-alike login page.
 */
export function assertAllowedRedirect(field: string, url: string | undefined, allowedOrigins: readonly string[]): void {
  if (url === undefined) return;
  let origin: string | undefined;
  try {
    origin = new URL(url).origin;
  } catch {
    origin = undefined;
  }
  if (!origin || !allowedOrigins.includes(origin)) {
    throw invitationsError('REDIRECT_NOT_ALLOWED', `${field} must be on one of the origins this service allows`, {
      errors: [{ field, message: 'not on an allowed origin' }],
    });
  }
}

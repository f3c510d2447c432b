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

/** The http(s) origins of an application's redirect URIs: registered by an admin, so allowed for its invitations. */
function originsOf(redirectUris: readonly string[]): string[] {
  return redirectUris.flatMap((uri) => {
    try {
      const url = new URL(uri);
      return ['http:', 'https:'].includes(url.protocol) ? [url.origin] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Where an invitation sends the person once done: `redirectUrl` when given (on an allowed origin, or on an origin of
 * the named application's redirect URIs), else the application's first redirect URI, else nowhere (null).
 */
export function invitationRedirect(
  redirectUrl: string | undefined,
  application: { redirectUris: readonly string[] } | null,
  allowedOrigins: readonly string[],
): string | null {
  if (redirectUrl !== undefined) {
    assertAllowedRedirect('redirectUrl', redirectUrl, [...allowedOrigins, ...originsOf(application?.redirectUris ?? [])]);
    return redirectUrl;
  }
  return application?.redirectUris[0] ?? null;
}

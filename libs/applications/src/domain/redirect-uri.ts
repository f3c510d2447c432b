const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** RFC 8252 §7.1: a native app's private-use scheme is a reverse domain name (`com.example.app`). */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/;
export const REDIRECT_URI_MAX_LENGTH = 2000;

/**
 * Why a redirect URI cannot be registered, or null when it can (OAuth 2.0
 * Security BCP): https anywhere, http only on loopback, a native app's
 * private-use scheme; never a fragment, credentials or a script scheme.
 * Registered URIs are then matched exactly, character for character.
 */
export function redirectUriProblem(value: string): string | null {
  if (value.length > REDIRECT_URI_MAX_LENGTH) return `must be at most ${REDIRECT_URI_MAX_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URI';
  }
  if (value.includes('#')) return 'must not carry a fragment';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') return LOOPBACK_HOSTS.has(url.hostname) ? null : 'must use https (http only on loopback)';
  return PRIVATE_USE_SCHEME.test(url.protocol) ? null : 'must use https, http on loopback, or a reverse-domain private-use scheme';
}

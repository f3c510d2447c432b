/** The provider's own pages (sign-in, sign-out, errors): server-rendered, no script, one stylesheet of this origin. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ESCAPES[character]);
}

export const STYLESHEET_PATH = '/oidc/assets/sign-in.css';

/**
 * Strict: no script at all, only this origin's stylesheet, nothing framed. A form may post to this origin, and be
 * redirected from there to `continueTo` (the application's redirect URI): browsers hold redirects after a form
 * submission to form-action too.
 */
export function pagePolicy(continueTo: string[] = []): string {
  const origins = [...new Set(continueTo.map(originOf).filter((origin): origin is string => !!origin))];
  return [
    "default-src 'none'",
    "script-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action 'self'${origins.map((origin) => ` ${origin}`).join('')}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** `policy` with `continueTo`'s origins added to its form-action (a page oidc-provider wrote, with its script's hash). */
export function allowFormAction(policy: string, continueTo: string[]): string {
  const origins = continueTo.map(originOf).filter((origin): origin is string => !!origin);
  return policy
    .split(';')
    .map((directive) => {
      const [name, ...values] = directive.trim().split(/\s+/);
      return name === 'form-action' ? [name, ...new Set([...values, ...origins])].join(' ') : directive.trim();
    })
    .join('; ');
}

function originOf(uri: string): string | null {
  try {
    const url = new URL(uri);
    return /^https?:$/.test(url.protocol) ? url.origin : `${url.protocol}`;
  } catch {
    return null;
  }
}

export function renderPage(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>${escapeHtml(title)} · Careid</title>
    <link rel="stylesheet" href="${STYLESHEET_PATH}" />
  </head>
  <body>
    <main>
      <h1>${escapeHtml(title)}</h1>
${main}
    </main>
  </body>
</html>
`;
}

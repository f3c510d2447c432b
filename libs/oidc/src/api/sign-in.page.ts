import type { SignInForm } from '../application/hosted-sign-in';
import { escapeHtml, renderPage } from './pages';

/**
 * The sign-in form: labelled fields with the autocomplete tokens password managers look for, the error announced
 * to screen readers and tied to the fields it is about, no script.
 */
export function signInPage(form: SignInForm): string {
  const describedBy = form.error ? ' aria-describedby="error" aria-invalid="true"' : '';
  const error = form.error ? `      <p id="error" role="alert" class="error">${escapeHtml(form.error)}</p>\n` : '';
  const fields =
    form.step === 'password'
      ? `        <label for="login">Login</label>
        <input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(form.login)}"${describedBy} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required aria-describedby="password-hint${form.error ? ' error' : ''}" />
        <p id="password-hint" class="hint">Your password, or a login token you were given.</p>`
      : `        <input type="hidden" name="login" autocomplete="username" value="${escapeHtml(form.login)}" />
        <p>Enter the code from your authenticator app${form.login ? ` for <strong>${escapeHtml(form.login)}</strong>` : ''}.</p>
        <label for="code">Code</label>
        <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]*" maxlength="10" required autofocus${describedBy} />`;
  // Links, not forms: a GET navigation to the provider is not held to the page's form-action.
  const continueWith = form.continueWith.length
    ? `\n      <p class="or">or</p>\n      <ul class="providers">\n${form.continueWith
        .map(
          (choice) =>
            `        <li><a class="provider" href="${escapeHtml(choice.href)}">Continue with ${escapeHtml(choice.label)}</a></li>`,
        )
        .join('\n')}\n      </ul>`
    : '';
  const intro = form.applicationName ? `      <p>to continue to <strong>${escapeHtml(form.applicationName)}</strong></p>\n` : '';
  return renderPage(
    'Sign in',
    `${intro}${error}      <form method="post" action="${escapeHtml(form.action)}" novalidate>
${fields}
        <button type="submit">Sign in</button>
      </form>${continueWith}`,
  );
}

import { Injectable } from '@nestjs/common';
import type { ProviderContext } from '../domain/provider-types';
import { allowFormAction, escapeHtml, pagePolicy, renderPage } from './pages';

/** The pages oidc-provider renders itself (sign-out question, signed out, errors), in Careid's look and CSP. */
@Injectable()
export class ProviderPages {
  /** RP-initiated logout asks first: the form the provider gives posts `logout=yes` with its xsrf token. */
  async logout(ctx: ProviderContext, form: string): Promise<void> {
    const target = ctx.oidc.entities.Session?.state?.postLogoutRedirectUri;
    this.send(
      ctx,
      'Sign out',
      `      <p>Do you want to sign out of Careid? Every application you signed in to through Careid signs you out too.</p>
      ${form}
      <button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
      <button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>`,
      typeof target === 'string' ? [target] : [],
    );
  }

  /**
   * Without a provider session, oidc-provider skips the question: its page posts the logout at once (a script whose
   * hash it adds to the policy), and the post's answer redirects to the application. Browsers hold a redirect after a
   * form submission to form-action: the application's post-logout URI is added to it.
   */
  allowLogoutRedirect(ctx: ProviderContext): void {
    const target = ctx.oidc.session?.state?.postLogoutRedirectUri;
    const policy = ctx.response.get('content-security-policy');
    if (typeof target === 'string' && policy) ctx.set('content-security-policy', allowFormAction(policy, [target]));
  }

  async loggedOut(ctx: ProviderContext): Promise<void> {
    this.send(ctx, 'Signed out', '      <p role="status">You are signed out.</p>');
  }

  async error(ctx: ProviderContext, out: Record<string, string>): Promise<void> {
    const description = out.error_description ?? 'The request could not be completed.';
    this.send(
      ctx,
      'Sign-in problem',
      `      <p role="alert" class="error">${escapeHtml(description)}</p>
      <p>Go back to the application and try again.</p>`,
    );
  }

  private send(ctx: ProviderContext, title: string, main: string, continueTo: string[] = []): void {
    ctx.set('content-security-policy', pagePolicy(continueTo));
    ctx.set('cache-control', 'no-store');
    ctx.type = 'html';
    ctx.body = renderPage(title, main);
  }
}

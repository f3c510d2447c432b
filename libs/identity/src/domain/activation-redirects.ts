/**
 * Where an activated patient goes next: the `redirectUrl` of the invitation its activation accepted. The composition
 * root binds it to the context that owns invitations.
 */
export interface ActivationRedirects {
  /** The redirect URL of the user's accepted patient invitation (in the activation's transaction); null when none. */
  redirectUrlOf(userId: string): Promise<string | null>;
}

export const ACTIVATION_REDIRECTS = Symbol('ACTIVATION_REDIRECTS');

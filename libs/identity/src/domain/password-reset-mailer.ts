/** Sends a password-reset link; the composition root binds it to the context that owns message delivery. */
export interface PasswordResetMailer {
  /** Queues the mail in the caller's transaction (it leaves once that commits). */
  mailResetLink(recipient: { email: string; name: string }, link: string, expiresAt: number): Promise<void>;
}

export const PASSWORD_RESET_MAILER = Symbol('PASSWORD_RESET_MAILER');

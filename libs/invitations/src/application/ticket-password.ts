import type { Credentials, UsersService } from '@careid/identity';
import { TicketKind, Tickets, ticketError } from './tickets';

/**
 * Before a ticket's transaction: the new password must pass the rules, and
 * bcrypt runs here, not while the ticket row is locked. A ticket that cannot
 * be used is refused now with its reason.
 */
export async function hashPasswordForTicketHolder(
  deps: { tickets: Tickets; users: UsersService; credentials: Credentials },
  ticket: string,
  kind: TicketKind,
  password: string,
): Promise<string> {
  const state = await deps.tickets.inspect(ticket);
  if (!state || state.kind !== kind) throw ticketError(null);
  if (state.state !== 'usable') throw ticketError(state.state);
  // No lockout check: the ticket is the proof (256 random bits), and a locked login must still be able to reset.
  const user = await deps.users.findById(state.userId);
  if (!user) throw ticketError('revoked');
  return deps.credentials.hashNewPassword(user.id, password);
}

import type { CareidApi } from '../careid-api.js';
import type { HttpClient } from '../http.js';
import type { CreateInvitation, InvitationDto, InvitationListDto, PageRequest, TicketInspectionDto } from '../models.js';
import type { StartSession } from './authentication-api.js';

export interface InvitationQuery extends PageRequest {
  status?: InvitationDto['status'];
  email?: string;
}

/** The ticket of an `invitationUrl` (it travels in the fragment: `.../invitations/accept#ticket=...`). */
export function ticketFromInvitationUrl(invitationUrl: string): string {
  const ticket = new URLSearchParams(new URL(invitationUrl).hash.slice(1)).get('ticket');
  if (!ticket) throw new TypeError('The URL carries no ticket');
  return ticket;
}

/** What the invited person does, without logging in. */
export class AnonymousInvitationApi {
  constructor(
    protected readonly anonymous: HttpClient,
    private readonly startSession: StartSession,
  ) {}

  /** Whether a ticket can still be used, and for whom. */
  inspect(ticket: string): Promise<TicketInspectionDto> {
    return this.anonymous.post('/api/v1/invitations/inspect', { body: { ticket } });
  }

  /** Sets the invited user's password with the ticket (used once) and returns the api logged in as that user. */
  async accept(ticket: string, password: string): Promise<CareidApi> {
    const tokens = await this.anonymous.post('/api/v1/invitations/accept', { body: { ticket, password } });
    return this.startSession(undefined, tokens);
  }
}

/** Oystehr's user invites (admin): the person sets a password through a one-time link. */
export class InvitationApi extends AnonymousInvitationApi {
  constructor(
    private readonly http: HttpClient,
    anonymous: HttpClient,
    startSession: StartSession,
  ) {
    super(anonymous, startSession);
  }

  /** Creates the profile (unless `resource.id` names one), the REGISTERING user and a ticket; `sendEmail` mails the link. */
  invite(invitation: CreateInvitation): Promise<InvitationDto> {
    return this.http.post('/api/v1/invitations', { body: invitation });
  }

  list(query: InvitationQuery = {}): Promise<InvitationListDto> {
    return this.http.get('/api/v1/invitations', { query });
  }

  get(invitationId: string): Promise<InvitationDto> {
    return this.http.get('/api/v1/invitations/{id}', { path: { id: invitationId } });
  }

  /** A new ticket for a pending invitation (the old one stops working), sent again. */
  resend(invitationId: string): Promise<InvitationDto> {
    return this.http.post('/api/v1/invitations/{id}/resend', { path: { id: invitationId } });
  }

  revoke(invitationId: string): Promise<InvitationDto> {
    return this.http.delete('/api/v1/invitations/{id}', { path: { id: invitationId } });
  }
}

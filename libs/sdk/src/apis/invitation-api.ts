import type { CareidApi } from '../careid-api.js';
import type { AcceptedInvitationTokens, BulkInvitePatients, CreateInvitation, InvitationJob, InvitationJobStarted } from '../contract.js';
import type { HttpClient } from '../http.js';
import { invitationOptions, type EmailMessageFactory, type SMSMessageFactory } from '../messages.js';
import type { InvitationDto, InvitationListDto, PageRequest, TicketInspectionDto } from '../models.js';
import type { StartSession } from './authentication-api.js';

export interface InvitationQuery extends PageRequest {
  status?: InvitationDto['status'];
  kind?: InvitationDto['kind'];
  email?: string;
}

/** Oystehr's invite body; `shouldSendInviteEmail` is Oystehr's name for `sendEmail`. */
export type InviteUser = CreateInvitation & { shouldSendInviteEmail?: boolean };

/** The api logged in as the person who accepted, and where the invitation asked to send them next. */
export type AcceptedInvitationApi = CareidApi & { readonly redirectUrl: string | undefined };

/** The options of `userApi.createAndInviteUser`, for every patient of a bulk invitation. */
export type BulkInviteOptions = Omit<BulkInvitePatients, 'patientIds'>;

export interface WaitForJobOptions {
  /** Give up (and throw) after this long; default 60 s. */
  timeoutMs?: number;
  /** Time between two reads of the job; default 500 ms. */
  intervalMs?: number;
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

  /**
   * Sets the invited user's password with the ticket (used once) and returns the api logged in as that
   * user; its `redirectUrl` is the invitation's (or its application's first redirect URI), if any.
   */
  async accept(ticket: string, password: string): Promise<AcceptedInvitationApi> {
    const tokens: AcceptedInvitationTokens = await this.anonymous.post('/api/v1/invitations/accept', { body: { ticket, password } });
    return Object.assign(this.startSession(undefined, tokens), { redirectUrl: tokens.redirectUrl });
  }
}

/** Oystehr's user invites (admin), and the bulk invitation of patients (practitioners). */
export class InvitationApi extends AnonymousInvitationApi {
  constructor(
    private readonly http: HttpClient,
    anonymous: HttpClient,
    startSession: StartSession,
  ) {
    super(anonymous, startSession);
  }

  /**
   * Creates the profile (unless `resource.id` names one), the REGISTERING user and a ticket; `sendEmail`
   * mails the link. `applicationId` names a registered application, whose first redirect URI is the
   * default `redirectUrl` (where the person goes once the password is set).
   */
  invite(invitation: InviteUser): Promise<InvitationDto> {
    const { shouldSendInviteEmail, ...body } = invitation;
    if (shouldSendInviteEmail !== undefined) body.sendEmail ??= shouldSendInviteEmail;
    return this.http.post('/api/v1/invitations', { body });
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

  /**
   * Invites many patients at once, each as `userApi.createAndInviteUser` would (same options, or a message
   * factory and the token's lifetime). Answers at once with the job; read it with `getJob` or `waitForJob`.
   */
  invitePatients(patientIds: string[], options?: BulkInviteOptions): Promise<InvitationJobStarted>;
  invitePatients(
    patientIds: string[],
    messageFactory: EmailMessageFactory | SMSMessageFactory,
    tokenDurationSeconds?: number,
  ): Promise<InvitationJobStarted>;
  invitePatients(
    patientIds: string[],
    optionsOrFactory?: BulkInviteOptions | EmailMessageFactory | SMSMessageFactory,
    tokenDurationSeconds?: number,
  ): Promise<InvitationJobStarted> {
    const body = { ...invitationOptions(optionsOrFactory, tokenDurationSeconds), patientIds: [...patientIds] };
    return this.http.post('/api/v1/patients/invite', { body });
  }

  /** A bulk invitation: RUNNING or DONE, how many were invited, and each patient skipped with the reason's code. */
  getJob(jobId: string): Promise<InvitationJob> {
    return this.http.get('/api/v1/invitation-jobs/{id}', { path: { id: jobId } });
  }

  /** Reads the job until it is DONE; throws when it is still running after `timeoutMs`. */
  async waitForJob(jobId: string, { timeoutMs = 60_000, intervalMs = 500 }: WaitForJobOptions = {}): Promise<InvitationJob> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.getJob(jobId);
      if (job.status === 'DONE') return job;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Invitation job ${jobId} is still ${job.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
    }
  }
}

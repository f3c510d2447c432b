import { Injectable } from '@nestjs/common';
import type { AccessPolicy } from '@careid/identity';
import { decodeCursor, SqlBuilder, TransactionHost, valueTuples } from '@careid/shared';
import type { CustomMessage } from '../domain/message-template';
import type { ProfileType } from '../domain/profile-directory';
import type { Delivery } from './outbox.repository';

export interface Invitation {
  id: string;
  kind: 'profile' | 'patient';
  userId: string;
  name: string;
  email: string | null;
  profile: string;
  accessPolicy: AccessPolicy | null;
  roles: string[];
  channel: 'email' | 'sms' | 'link';
  status: 'PENDING' | 'ACCEPTED' | 'EXPIRED' | 'REVOKED';
  expiresAt: number;
  created: number;
  invitationUrl?: string;
  delivery: Delivery | null;
  /** Where the invited person goes once done (the accept answer carries it). */
  redirectUrl: string | null;
  applicationId: string | null;
}

/** An invitation with what the service needs to resend or renew it (never sent to a client as is). */
export interface StoredInvitation extends Invitation {
  phone: string | null;
  createdBy: string | null;
  loginUrl: string | null;
  solutionName: string | null;
  practitionerId: string | null;
  validitySeconds: number | null;
  /** The caller's own message templates, when the invitation was sent with them. */
  messageTemplate: CustomMessage | null;
}

/** Where an invitation leads, stored with it. */
export interface InvitationTarget {
  redirectUrl: string | null;
  applicationId: string | null;
}

export interface InvitationFilter {
  status?: string;
  kind?: string;
  /** The identifier key of the invited email. */
  emailKey?: string;
  /** Only the patient invitations this practitioner sent. */
  practitionerId?: string;
  limit: number;
  cursor?: string;
}

export interface NewProfileInvitation extends InvitationTarget {
  id: string;
  userId: string;
  email: string;
  emailKey: string;
  channel: 'email' | 'link';
  name: string;
  firstName: string | null;
  lastName: string | null;
  profileType: ProfileType;
  profileId: string;
  roles: string[];
  accessPolicy: AccessPolicy | null;
  expiresAt: number;
  created: number;
  createdBy: string;
  validitySeconds: number;
}

export interface NewPatientInvitation extends InvitationTarget {
  id: string;
  userId: string;
  email: string | null;
  emailKey: string | null;
  phone: string | null;
  channel: 'email' | 'sms';
  name: string;
  patientId: string;
  expiresAt: number;
  created: number;
  createdBy: string;
  messageId: string;
  practitionerId: string;
  loginUrl: string | null;
  solutionName: string | null;
  validitySeconds: number;
  messageTemplate: CustomMessage | null;
}

/** Stored PENDING past its expiry reads as EXPIRED: reads stay true between two sweeps. */
function toInvitation(row: Record<string, any>): Invitation {
  const expiresAt = Number(row.expires_at);
  const status = row.status === 'PENDING' && expiresAt <= Date.now() ? 'EXPIRED' : row.status;
  return {
    id: row.id,
    kind: row.kind,
    userId: row.user_id,
    name: row.name ?? row.email ?? row.phone,
    email: row.email,
    profile: `${row.profile_type}/${row.profile_id}`,
    accessPolicy: row.access_policy,
    roles: row.roles,
    channel: row.channel,
    status,
    expiresAt,
    created: Number(row.created),
    delivery: row.message_status
      ? {
          status: row.message_status,
          attempts: row.message_attempts,
          lastError: row.message_last_error,
          sentAt: row.message_sent_at === null ? null : Number(row.message_sent_at),
        }
      : null,
    redirectUrl: row.redirect_url,
    applicationId: row.application_id,
  };
}

function toStoredInvitation(row: Record<string, any>): StoredInvitation {
  return {
    ...toInvitation(row),
    phone: row.phone,
    createdBy: row.created_by,
    loginUrl: row.login_url,
    solutionName: row.solution_name,
    practitionerId: row.practitioner_id,
    validitySeconds: row.validity_seconds,
    messageTemplate: row.message_template ?? null,
  };
}

const SELECT_INVITATION = `
  SELECT i.*, m.status AS message_status, m.attempts AS message_attempts, m.last_error AS message_last_error, m.sent_at AS message_sent_at
  FROM invitations i LEFT JOIN outbox_messages m ON m.id = i.message_id`;

/** The statements of invitations (`invitations`, read with the state of their message). */
@Injectable()
export class InvitationsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insertProfileInvitation(invitation: NewProfileInvitation): Promise<void> {
    const i = invitation;
    await this.tx.query(
      `INSERT INTO invitations (id, kind, user_id, email, email_key, channel, name, first_name, last_name, profile_type, profile_id, roles,
         access_policy, expires_at, created, created_by, validity_seconds, redirect_url, application_id)
       VALUES ($1, 'profile', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [
        i.id,
        i.userId,
        i.email,
        i.emailKey,
        i.channel,
        i.name,
        i.firstName,
        i.lastName,
        i.profileType,
        i.profileId,
        i.roles,
        i.accessPolicy ? JSON.stringify(i.accessPolicy) : null,
        i.expiresAt,
        i.created,
        i.createdBy,
        i.validitySeconds,
        i.redirectUrl,
        i.applicationId,
      ],
    );
  }

  async insertPatientInvitation(invitation: NewPatientInvitation): Promise<void> {
    await this.insertPatientInvitations([invitation]);
  }

  /** Several patient invitations in one statement. */
  async insertPatientInvitations(invitations: NewPatientInvitation[]): Promise<void> {
    if (!invitations.length) return;
    await this.tx.query(
      `INSERT INTO invitations (id, kind, user_id, email, email_key, phone, channel, name, profile_type, profile_id, expires_at, created,
         created_by, message_id, practitioner_id, login_url, solution_name, validity_seconds, redirect_url, application_id, message_template)
       VALUES ${valueTuples(invitations.length, 21)}`,
      invitations.flatMap((i) => [
        i.id,
        'patient',
        i.userId,
        i.email,
        i.emailKey,
        i.phone,
        i.channel,
        i.name,
        'Patient',
        i.patientId,
        i.expiresAt,
        i.created,
        i.createdBy,
        i.messageId,
        i.practitionerId,
        i.loginUrl,
        i.solutionName,
        i.validitySeconds,
        i.redirectUrl,
        i.applicationId,
        i.messageTemplate ? JSON.stringify(i.messageTemplate) : null,
      ]),
    );
  }

  /** The keys of `emailKeys` that a stored PENDING invitation holds (expired or not yet). */
  async emailKeysWithPendingInvitation(emailKeys: string[]): Promise<string[]> {
    const rows: { email_key: string }[] = await this.tx.query(
      `SELECT DISTINCT email_key FROM invitations WHERE email_key = ANY($1::text[]) AND status = 'PENDING'`,
      [emailKeys],
    );
    return rows.map((row) => row.email_key);
  }

  /** A page, newest first, and the total that match. */
  async page(filter: InvitationFilter): Promise<{ rows: Invitation[]; total: number }> {
    const sql = new SqlBuilder();
    const now = Date.now();
    if (filter.status === 'PENDING') sql.where("i.status = 'PENDING' AND i.expires_at > ?", now);
    else if (filter.status === 'EXPIRED') sql.where("(i.status = 'EXPIRED' OR (i.status = 'PENDING' AND i.expires_at <= ?))", now);
    else if (filter.status) sql.where('i.status = ?', filter.status);
    if (filter.kind) sql.where('i.kind = ?', filter.kind);
    if (filter.emailKey) sql.where('i.email_key = ?', filter.emailKey);
    if (filter.practitionerId) sql.where("i.kind = 'patient' AND i.practitioner_id = ?::uuid", filter.practitionerId);
    const countRows = await this.tx.query(`SELECT count(*)::int AS total FROM invitations i ${sql.whereClause}`, sql.params);
    const cursor = decodeCursor(filter.cursor, ['number', 'string']) as [number, string] | undefined;
    if (cursor) sql.where(`(i.created, i.id) < (?, ${sql.param(cursor[1])}::uuid)`, cursor[0]);
    const rows = await this.tx.query(
      `${SELECT_INVITATION} ${sql.whereClause} ORDER BY i.created DESC, i.id DESC LIMIT ${sql.param(filter.limit + 1)}`,
      sql.params,
    );
    return { rows: rows.map(toInvitation), total: countRows[0].total };
  }

  async findById(id: string): Promise<Invitation | null> {
    const rows = await this.tx.query(`${SELECT_INVITATION} WHERE i.id = $1`, [id]);
    return rows.length ? toInvitation(rows[0]) : null;
  }

  /** The invitation with what a resend or the accept page needs (without its message's state). */
  async findDetails(id: string): Promise<StoredInvitation | null> {
    const rows = await this.tx.query(`SELECT * FROM invitations WHERE id = $1`, [id]);
    return rows.length ? toStoredInvitation(rows[0]) : null;
  }

  /** Locks the invitation until the caller's transaction ends (without its message's state). */
  async lockById(id: string): Promise<StoredInvitation | null> {
    const rows = await this.tx.query(`SELECT * FROM invitations WHERE id = $1 FOR UPDATE`, [id]);
    return rows.length ? toStoredInvitation(rows[0]) : null;
  }

  /** Locks the user's latest invitation until the caller's transaction ends; null when it has none. */
  async lockLatestOfUser(userId: string): Promise<StoredInvitation | null> {
    const rows = await this.tx.query(`SELECT * FROM invitations WHERE user_id = $1 ORDER BY created DESC, id DESC LIMIT 1 FOR UPDATE`, [
      userId,
    ]);
    return rows.length ? toStoredInvitation(rows[0]) : null;
  }

  /** The pending invitation that holds this email (locked until the caller's transaction ends), expired or not. */
  async lockPendingForEmail(emailKey: string): Promise<{ id: string; userId: string } | null> {
    const rows: { id: string; user_id: string }[] = await this.tx.query(
      `SELECT id, user_id FROM invitations WHERE email_key = $1 AND status = 'PENDING' FOR UPDATE`,
      [emailKey],
    );
    return rows.length ? { id: rows[0].id, userId: rows[0].user_id } : null;
  }

  /** A pending or expired invitation is pending again, until `expiresAt`; `messageId` is its new message, if any. */
  async reopen(id: string, expiresAt: number, messageId: string | null): Promise<void> {
    await this.tx.query(`UPDATE invitations SET status = 'PENDING', expires_at = $2, message_id = coalesce($3, message_id) WHERE id = $1`, [
      id,
      expiresAt,
      messageId,
    ]);
  }

  async markRevoked(id: string, now: number): Promise<void> {
    await this.tx.query(`UPDATE invitations SET status = 'REVOKED', revoked_at = $2 WHERE id = $1`, [id, now]);
  }

  async markAccepted(id: string, now: number): Promise<void> {
    await this.tx.query(`UPDATE invitations SET status = 'ACCEPTED', accepted_at = $2 WHERE id = $1`, [id, now]);
  }

  /** Accepts the user's pending patient invitations; returns their ids and where they lead. */
  async acceptPendingPatientInvitationsOf(userId: string, now: number): Promise<{ id: string; redirectUrl: string | null }[]> {
    const [rows]: [{ id: string; redirect_url: string | null }[], number] = await this.tx.query(
      `UPDATE invitations SET status = 'ACCEPTED', accepted_at = $2 WHERE user_id = $1 AND kind = 'patient' AND status = 'PENDING'
       RETURNING id, redirect_url`,
      [userId, now],
    );
    return rows.map((row) => ({ id: row.id, redirectUrl: row.redirect_url }));
  }

  /** The redirect URL of the user's last accepted patient invitation. */
  async acceptedPatientRedirectOf(userId: string): Promise<string | null> {
    const rows: { redirect_url: string | null }[] = await this.tx.query(
      `SELECT redirect_url FROM invitations WHERE user_id = $1 AND kind = 'patient' AND status = 'ACCEPTED'
       ORDER BY accepted_at DESC LIMIT 1`,
      [userId],
    );
    return rows[0]?.redirect_url ?? null;
  }

  async attachMessage(id: string, messageId: string): Promise<void> {
    await this.tx.query('UPDATE invitations SET message_id = $2 WHERE id = $1', [id, messageId]);
  }

  /**
   * Stores EXPIRED on the pending invitations of this user or email that are past their expiry (in the caller's
   * transaction), so that they hold neither the user nor the email for a new invitation.
   */
  async expireStale(of: { userId?: string; emailKey?: string | null }, now: number): Promise<void> {
    await this.tx.query(
      `UPDATE invitations SET status = 'EXPIRED' WHERE status = 'PENDING' AND expires_at <= $3 AND (user_id = $1 OR email_key = $2)`,
      [of.userId ?? null, of.emailKey ?? null, now],
    );
  }

  /**
   * The sweep: stores EXPIRED on pending invitations past their expiry, a batch at a time; rows another transaction
   * holds (a resend, a revoke) are left to the next pass. Returns how many it expired.
   */
  async expireDue(now: number, batch = 5000): Promise<number> {
    const [, count]: [unknown, number] = await this.tx.query(
      `UPDATE invitations SET status = 'EXPIRED'
       WHERE status = 'PENDING' AND id IN (
         SELECT id FROM invitations WHERE status = 'PENDING' AND expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [now, batch],
    );
    return count;
  }
}

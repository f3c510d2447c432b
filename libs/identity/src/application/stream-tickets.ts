import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { VerifiedClaims } from '../api/verified-tokens';
import { identityError } from '../domain/identity.errors';
import type { Principal } from '../domain/principal';
import { StreamTicketsRepository } from '../infrastructure/stream-tickets.repository';

/** How long a stream ticket may wait to be used: EventSource opens it right away. */
export const STREAM_TICKET_TTL_SECONDS = 30;
/** 256 random bits, base64url: what `issue` hands out; anything else is refused without a database round trip. */
const TICKET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const hash = (ticket: string) => createHash('sha256').update(ticket, 'utf8').digest();

/**
 * One-time tickets that stand for an access token in a stream's URL, for a browser's EventSource, which cannot send
 * an Authorization header. A ticket belongs to the session that asked for it (its id and version), ends with that
 * session, and gives the stream the expiry of the access token that asked for it: it never outlives that token.
 * Stored as a SHA-256; using it deletes it, so of concurrent uses one at most succeeds.
 */
@Injectable()
export class StreamTickets {
  constructor(private readonly tickets: StreamTicketsRepository) {}

  async issue(actor: Principal, session: { id: string; accessExpiresAt: number }): Promise<{ ticket: string; expiresAt: number }> {
    const ticket = randomBytes(32).toString('base64url');
    const now = Date.now();
    const expiresAt = Math.min(now + STREAM_TICKET_TTL_SECONDS * 1000, session.accessExpiresAt);
    await this.tickets.insert(
      {
        tokenHash: hash(ticket),
        userId: actor.userId,
        sessionId: session.id,
        sessionVersion: actor.sessionVersion,
        accessExpiresAt: session.accessExpiresAt,
        created: now,
        expiresAt,
      },
      now,
    );
    return { ticket, expiresAt };
  }

  /**
   * Uses a ticket: the claims of the access token it stands for (its session still has to be checked, as for a
   * token), or 401 INVALID_STREAM_TICKET when it is malformed, unknown, used or expired.
   */
  async redeem(ticket: unknown): Promise<VerifiedClaims> {
    if (typeof ticket !== 'string' || !TICKET_SHAPE.test(ticket)) throw identityError('INVALID_STREAM_TICKET');
    const taken = await this.tickets.take(hash(ticket), Date.now());
    if (!taken) throw identityError('INVALID_STREAM_TICKET');
    return { sub: taken.userId, sid: taken.sessionId, sv: taken.sessionVersion, exp: Math.floor(taken.accessExpiresAt / 1000) };
  }
}

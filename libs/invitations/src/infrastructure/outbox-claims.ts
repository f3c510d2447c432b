import { randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Client } from 'pg';
import type { AppConfigService } from '@careid/shared';
import type { DeliveryStatus, QueuedMessageRow } from './outbox.repository';

interface PendingSettle {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  now: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** How long a settle waits for others to share its statement while more messages are being sent. */
const SETTLE_GATHER_MS = 15;

/** The first key of the outbox workers' advisory locks (the second is each worker's own). */
const OWNER_LOCK_CLASS = 0x0cae1d;

/**
 * How delivery workers share the outbox without holding a transaction open while they send. A worker has one
 * connection of its own, which holds a session advisory lock on (OWNER_LOCK_CLASS, its owner key) for as long as it
 * lives; it claims due messages in batches by writing its key into `claim_owner`, and settles each message with
 * its own statement right after its send (committed without waiting for the disk: only a crash of PostgreSQL
 * itself could lose that commit, and the message would then be sent again, as after any crash between a send and
 * its record). A message whose claimer's lock is gone (its process died, its connection broke) is claimable again
 * at once, so two live workers never hold the same message, and a crash leaves nothing waiting for a timeout.
 */
@Injectable()
export class OutboxClaims {
  private client: Client | undefined;
  /** This worker's key while its lock is held; undefined while its connection is down. */
  private ownerKey: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Settles waiting for the statement that writes them. */
  private settles: PendingSettle[] = [];
  private flushing = false;
  /** The timer of settles waiting for others (see settle). */
  private gathering: NodeJS.Timeout | undefined;

  constructor(@Inject(ConfigService) private readonly config: AppConfigService) {}

  get owner(): number | undefined {
    return this.ownerKey;
  }

  /** Opens the worker's connection and takes a key no other worker holds; `onLost` hears when the connection breaks. */
  async open(onLost: () => void): Promise<void> {
    const { url, statementTimeoutMs } = this.config.get('database', { infer: true });
    const client = new Client({ connectionString: url, application_name: 'careid-outbox', statement_timeout: statementTimeoutMs });
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.ownerKey = undefined;
      void client.end().catch(() => undefined);
      onLost();
    };
    client.on('error', lost);
    client.on('end', lost);
    this.client = client;
    try {
      await client.connect();
      // Claims read the due index in its order and stop at the batch's size; a bitmap scan (which the planner picks when
      // its statistics lag behind a burst of messages) would read and sort every due message for each claim.
      await client.query('SET synchronous_commit = off; SET enable_bitmapscan = off');
      for (;;) {
        const key = randomInt(1, 2 ** 31 - 1);
        const { rows } = await client.query('SELECT pg_try_advisory_lock($1, $2) AS held', [OWNER_LOCK_CLASS, key]);
        if (rows[0].held) {
          this.ownerKey = key;
          return;
        }
      }
    } catch (error) {
      if (this.client === client) this.client = undefined;
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.ownerKey = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Claims up to `limit` due messages no live worker holds, oldest due first. */
  claimDue(now: number, limit: number): Promise<QueuedMessageRow[]> {
    return this.run(async (client, owner) => {
      const { rows } = await client.query(
        `UPDATE outbox_messages m SET claim_owner = $1
         WHERE m.id IN (
           SELECT o.id FROM outbox_messages o
           WHERE o.status = 'QUEUED' AND o.next_attempt_at <= $2
             AND (o.claim_owner IS NULL OR NOT EXISTS (
               SELECT 1 FROM pg_locks l
               WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid = $4::int::oid
                 AND l.objid = o.claim_owner::oid AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())))
           ORDER BY o.next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING m.id, m.channel, m.kind, m.recipient, m.reply_to, m.subject, m.text_body, m.html_body, m.mime_body, m.attempts`,
        [owner, now, limit, OWNER_LOCK_CLASS],
      );
      return rows as QueuedMessageRow[];
    });
  }

  /**
   * Settles a claimed message for good and erases its bodies (they carry tokens and links). Settles that come while
   * one is being written go together in the next statement. `moreComing` (other messages are being sent): the settle
   * waits up to SETTLE_GATHER_MS for theirs, one statement for several messages; the last one goes at once.
   */
  settle(id: string, status: DeliveryStatus, attempts: number, lastError: string | null, now: number, moreComing = false): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.settles.push({ id, status, attempts, lastError, now, resolve, reject });
      if (this.flushing) return;
      if (!moreComing) {
        clearTimeout(this.gathering);
        this.gathering = undefined;
        void this.flushSettles();
      } else {
        this.gathering ??= setTimeout(() => {
          this.gathering = undefined;
          if (!this.flushing) void this.flushSettles();
        }, SETTLE_GATHER_MS);
      }
    });
  }

  private async flushSettles(): Promise<void> {
    this.flushing = true;
    while (this.settles.length) {
      const batch = this.settles;
      this.settles = [];
      const columns = (['id', 'status', 'attempts', 'lastError', 'now'] as const).map((key) => batch.map((settle) => settle[key]));
      try {
        await this.run((client, owner) =>
          client.query(
            `UPDATE outbox_messages m SET status = v.status, attempts = v.attempts, last_error = v.last_error,
               sent_at = CASE WHEN v.status = 'SENT' THEN v.now END, text_body = NULL, html_body = NULL, mime_body = NULL,
               claim_owner = NULL
             FROM unnest($2::uuid[], $3::text[], $4::int[], $5::text[], $6::bigint[]) AS v(id, status, attempts, last_error, now)
             WHERE m.id = v.id AND m.claim_owner = $1`,
            [owner, ...columns],
          ),
        );
        for (const settle of batch) settle.resolve();
      } catch (error) {
        for (const settle of batch) settle.reject(error as Error);
      }
    }
    this.flushing = false;
  }

  /** Gives a claimed message back, due again at `nextAttemptAt`. */
  scheduleRetry(id: string, attempts: number, lastError: string, nextAttemptAt: number): Promise<void> {
    return this.run(async (client, owner) => {
      await client.query(
        `UPDATE outbox_messages SET attempts = $3, last_error = $4, next_attempt_at = $5, claim_owner = NULL WHERE id = $1 AND claim_owner = $2`,
        [id, owner, attempts, lastError, nextAttemptAt],
      );
    });
  }

  /** One statement at a time on the worker's connection (pg would queue them too; this keeps the owner consistent). */
  private run<T>(work: (client: Client, owner: number) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      if (!this.client || this.ownerKey === undefined) throw new Error('The outbox worker has no database connection');
      return work(this.client, this.ownerKey);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

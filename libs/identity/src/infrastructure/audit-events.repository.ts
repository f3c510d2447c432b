import { Injectable } from '@nestjs/common';
import { decodeCursor, Page, preparedStatement, requestContext, SqlBuilder, toPage, TransactionHost, valueTuples } from '@careid/shared';
import type { AuditEventView, AuditFilter, AuditRecord } from '../domain/audit';

/** The INSERT of `rows` audit events, their ten parameters each numbered from `first` (for a statement that writes more). */
export function insertAuditEventSql(first: number, rows = 1): string {
  return `INSERT INTO audit_events (occurred, type, outcome, actor_id, actor_login, target_type, target_id, ip, request_id, details)
   VALUES ${valueTuples(rows, 10, first)}`;
}

/** Written by most requests: prepared once per connection (see PreparedStatement); bench/baselines/bare-read-server.ts runs it too. */
export const INSERT_AUDIT_EVENT = preparedStatement('audit.insert-event', insertAuditEventSql(1));

/** The parameters of `insertAuditEventSql` for `event`, the request's context filling in who and from where. */
export function auditEventParameters(event: AuditRecord): unknown[] {
  const context = requestContext.get();
  return [
    Date.now(),
    event.type,
    event.outcome ?? 'success',
    event.actorId !== undefined ? event.actorId : (context?.actorId ?? null),
    event.actorLogin !== undefined ? event.actorLogin : (context?.actorLogin ?? null),
    event.targetType ?? null,
    event.targetId ?? null,
    context?.ip ?? null,
    context?.requestId ?? null,
    JSON.stringify(event.details ?? {}),
  ];
}

/** The statements of the append-only audit trail (`audit_events`). */
@Injectable()
export class AuditEventsRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Joins the caller's transaction. */
  append(event: AuditRecord): Promise<unknown> {
    return this.tx.query(INSERT_AUDIT_EVENT, auditEventParameters(event));
  }

  /** Several events in one statement (a bulk job's batch), joining the caller's transaction. */
  async appendMany(events: AuditRecord[]): Promise<void> {
    if (events.length) await this.tx.query(insertAuditEventSql(1, events.length), events.flatMap(auditEventParameters));
  }

  async list(filter: AuditFilter): Promise<Page<AuditEventView>> {
    const sql = new SqlBuilder();
    if (filter.actor) sql.where('actor_id = ?', filter.actor);
    if (filter.target) sql.where('target_id = ?', filter.target);
    if (filter.type) sql.where('type = ?', filter.type);
    if (filter.after !== undefined) sql.where('occurred > ?', filter.after);
    const [lastId] = (decodeCursor(filter.cursor, ['string']) ?? []) as string[];
    if (lastId !== undefined) {
      if (!/^\d{1,19}$/.test(lastId)) return { rows: [], nextCursor: null };
      sql.where('id < ?', lastId);
    }
    // Qualified: a bare `id` in ORDER BY would name the text output column and sort "9" after "10".
    const rows: Record<string, any>[] = await this.tx.query(
      `SELECT id::text, occurred, type, outcome, actor_id, actor_login, target_type, target_id, ip, request_id, details
       FROM audit_events ${sql.whereClause} ORDER BY audit_events.id DESC LIMIT ${sql.param(filter.limit + 1)}`,
      sql.params,
    );
    const views = rows.map((row) => ({
      id: row.id,
      occurred: Number(row.occurred),
      type: row.type,
      outcome: row.outcome,
      actorId: row.actor_id,
      actorLogin: row.actor_login,
      targetType: row.target_type,
      targetId: row.target_id,
      ip: row.ip,
      requestId: row.request_id,
      details: row.details,
    }));
    return toPage(views, filter.limit, (row) => [row.id]);
  }
}

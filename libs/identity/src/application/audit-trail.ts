import { Injectable } from '@nestjs/common';
import type { Page } from '@careid/shared';
import type { AuditEventView, AuditFilter, AuditRecord } from '../domain/audit';
import { AuditEventsRepository } from '../infrastructure/audit-events.repository';

export type { AuditEventView, AuditFilter, AuditOutcome, AuditRecord } from '../domain/audit';

/**
 * The append-only audit trail (HIPAA audit control): who did what to which
 * record, when, from where, with what outcome. Written in the caller's
 * transaction, so a change and its record commit together.
 */
@Injectable()
export class AuditTrail {
  constructor(private readonly events: AuditEventsRepository) {}

  async record(event: AuditRecord): Promise<void> {
    await this.events.append(event);
  }

  /** Records several events at once (a bulk job's batch), as `record` would one by one. */
  recordMany(events: AuditRecord[]): Promise<void> {
    return this.events.appendMany(events);
  }

  list(filter: AuditFilter): Promise<Page<AuditEventView>> {
    return this.events.list(filter);
  }
}

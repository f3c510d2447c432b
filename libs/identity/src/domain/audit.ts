export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditRecord {
  type: string;
  outcome?: AuditOutcome;
  targetType?: string;
  targetId?: string | null;
  /** Overrides the request's actor (e.g. a login attempt names its user before it is authenticated). */
  actorId?: string | null;
  actorLogin?: string | null;
  /** Never secrets: ids, field names, counts. */
  details?: Record<string, unknown>;
}

export interface AuditEventView {
  id: string;
  occurred: number;
  type: string;
  outcome: AuditOutcome;
  actorId: string | null;
  actorLogin: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  actor?: string;
  target?: string;
  type?: string;
  after?: number;
  limit: number;
  cursor?: string;
}

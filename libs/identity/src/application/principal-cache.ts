import { Injectable, OnModuleInit } from '@nestjs/common';
import { PgListener, preparedStatement, TransactionHost } from '@careid/shared';
import { ADMIN_ROLE, Principal } from '../domain/principal';
import type { AccessPolicy } from '../domain/access-policy';

const CHANNEL = 'careid_principal_changed';
const PRINCIPAL_BY_USER_ID = preparedStatement(
  'users.principal',
  `SELECT id, login, roles, status, healthcare_party_id, patient_id, access_policy, auto_delegations, session_version
   FROM users WHERE id = $1 AND deletion_date IS NULL`,
);
const MAX_ENTRIES = 20_000;
const MAX_AGE_MS = 60_000;

/** Told a user's id once its change committed (on any instance), or null when changes may have been missed. */
export type PrincipalChangeListener = (userId: string | null) => void;

interface Entry {
  principal: Principal | null;
  loadedAt: number;
}

/**
 * The guard's per-request lookup of a user (live? which session version?
 * which roles?), cached in memory. Any change to a user NOTIFYs every
 * instance, which evicts the entry; while the LISTEN connection is down the
 * cache is bypassed, so a revoked session is never served from a stale entry.
 */
@Injectable()
export class PrincipalCache implements OnModuleInit {
  private readonly entries = new Map<string, Entry>();
  /** Grows on every eviction: a load that raced with one is not cached. */
  private evictions = 0;
  private readonly changeListeners = new Set<PrincipalChangeListener>();

  constructor(
    private readonly tx: TransactionHost,
    private readonly listener: PgListener,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.listener.subscribe(CHANNEL, (userId) => {
      this.evict(userId);
      this.tellListeners(userId);
    });
    this.listener.onReconnect(() => {
      this.evictions++;
      this.entries.clear();
      this.tellListeners(null);
    });
  }

  /**
   * Listens to user changes from every instance, heard after the entry is
   * evicted (so `get` then loads the user afresh); null after the LISTEN
   * connection came back, when any user may have changed meanwhile.
   */
  onChange(listener: PrincipalChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /**
   * The cached answer of `get`, without a promise: the principal, null for a
   * user who cannot authenticate, or undefined when it must be loaded.
   */
  cached(userId: string): Principal | null | undefined {
    if (!this.listener.isListening) return undefined;
    const cached = this.entries.get(userId);
    return cached && Date.now() - cached.loadedAt < MAX_AGE_MS ? cached.principal : undefined;
  }

  /** The live, authenticatable principal for a user id, or null. */
  async get(userId: string): Promise<Principal | null> {
    const cached = this.cached(userId);
    if (cached !== undefined) return cached;
    const useCache = this.listener.isListening;
    const evictionsBefore = this.evictions;
    const principal = await this.load(userId);
    if (useCache && evictionsBefore === this.evictions) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(userId, { principal, loadedAt: Date.now() });
    }
    return principal;
  }

  /** Call inside the transaction that changes the user: every instance evicts it once that commits. */
  async userChanged(userId: string): Promise<void> {
    this.tx.afterCommit(() => this.evict(userId));
    await this.tx.query('SELECT pg_notify($1, $2)', [CHANNEL, userId]);
  }

  private tellListeners(userId: string | null): void {
    for (const listener of this.changeListeners) listener(userId);
  }

  private evict(userId: string): void {
    this.evictions++;
    this.entries.delete(userId);
  }

  private async load(userId: string): Promise<Principal | null> {
    const rows: Record<string, any>[] = await this.tx.queryOutsideTransaction(PRINCIPAL_BY_USER_ID, [userId]);
    const row = rows[0];
    if (!row || row.status === 'DISABLED') return null;
    return {
      userId: row.id,
      login: row.login,
      roles: row.roles,
      isAdmin: row.roles.includes(ADMIN_ROLE),
      healthcarePartyId: row.healthcare_party_id,
      patientId: row.patient_id,
      dataOwnerId: row.healthcare_party_id ?? row.patient_id ?? null,
      accessPolicy: row.access_policy as AccessPolicy | null,
      autoDelegations: row.auto_delegations ?? {},
      sessionVersion: row.session_version,
    };
  }
}

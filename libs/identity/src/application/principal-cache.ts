import { Injectable, OnModuleInit } from '@nestjs/common';
import { PgListener, TransactionHost } from '@careid/shared';
import type { Principal } from '../domain/principal';
import { CredentialsRepository } from '../infrastructure/credentials.repository';
import { PRINCIPAL_CHANGED_CHANNEL, PrincipalsRepository } from '../infrastructure/principals.repository';

const MAX_ENTRIES = 20_000;
const MAX_AGE_MS = 60_000;

/** Told a user's id once its change committed (on any instance), or null when changes may have been missed. */
export type PrincipalChangeListener = (userId: string | null) => void;

interface Entry {
  principal: Principal | null;
  loadedAt: number;
}

interface SessionEntry {
  userId: string;
  live: boolean;
  loadedAt: number;
}

/**
 * The guard's per-request lookups, cached in memory: a user (live? which
 * session version? which roles?) and a session (not revoked?). Any change to
 * a user or to its sessions NOTIFYs every instance, which evicts the user and
 * its sessions; while the LISTEN connection is down the cache is bypassed, so
 * a revoked session is never served from a stale entry.
 */
@Injectable()
export class PrincipalCache implements OnModuleInit {
  private readonly entries = new Map<string, Entry>();
  private readonly sessions = new Map<string, SessionEntry>();
  /** Grows on every eviction: a load that raced with one is not cached. */
  private evictions = 0;
  private readonly changeListeners = new Set<PrincipalChangeListener>();

  constructor(
    private readonly tx: TransactionHost,
    private readonly listener: PgListener,
    private readonly credentials: CredentialsRepository,
    private readonly principals: PrincipalsRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.listener.subscribe(PRINCIPAL_CHANGED_CHANNEL, (userId) => {
      this.evict(userId);
      this.tellListeners(userId);
    });
    this.listener.onReconnect(() => {
      this.evictions++;
      this.entries.clear();
      this.sessions.clear();
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
    const principal = await this.principals.load(userId);
    if (useCache && evictionsBefore === this.evictions) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(userId, { principal, loadedAt: Date.now() });
    }
    return principal;
  }

  /** The cached answer of `isSessionLive`, without a promise; undefined when it must be loaded. */
  cachedSession(sessionId: string, userId: string): boolean | undefined {
    if (!this.listener.isListening) return undefined;
    const cached = this.sessions.get(sessionId);
    return cached && cached.userId === userId && Date.now() - cached.loadedAt < MAX_AGE_MS ? cached.live : undefined;
  }

  /** Whether the session (the access JWT's `sid`) of this user is still open. */
  async isSessionLive(sessionId: string, userId: string): Promise<boolean> {
    const cached = this.cachedSession(sessionId, userId);
    if (cached !== undefined) return cached;
    const useCache = this.listener.isListening;
    const evictionsBefore = this.evictions;
    const live = await this.credentials.isSessionLive(sessionId, userId);
    if (useCache && evictionsBefore === this.evictions) {
      if (this.sessions.size >= MAX_ENTRIES) this.sessions.delete(this.sessions.keys().next().value!);
      this.sessions.set(sessionId, { userId, live, loadedAt: Date.now() });
    }
    return live;
  }

  /** Call inside the transaction that changes the user or ends sessions of it: every instance evicts both once that commits. */
  async userChanged(userId: string): Promise<void> {
    this.tx.afterCommit(() => this.evict(userId));
    await this.principals.announceChange(userId);
  }

  private tellListeners(userId: string | null): void {
    for (const listener of this.changeListeners) listener(userId);
  }

  private evict(userId: string): void {
    this.evictions++;
    this.entries.delete(userId);
    for (const [sessionId, session] of this.sessions) if (session.userId === userId) this.sessions.delete(sessionId);
  }
}

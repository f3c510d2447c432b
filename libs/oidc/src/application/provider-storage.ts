import type { OidcPayloadsRepository } from '../infrastructure/oidc-payloads.repository';
import { inModuleRealm } from '../infrastructure/require-esm';

/** oidc-provider's adapter interface (one instance per model name). */
export interface ProviderAdapter {
  upsert(id: string, payload: Record<string, any>, expiresIn?: number): Promise<void>;
  find(id: string): Promise<Record<string, unknown> | undefined>;
  findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined>;
  findByUid(uid: string): Promise<Record<string, unknown> | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

export interface StorageHooks {
  /** Client metadata for a client id (the registered applications), or undefined. */
  findClient(clientId: string): Promise<Record<string, unknown> | undefined>;
  /** A grant was revoked (token revocation, refresh-token reuse, logout). */
  grantEnded(grantId: string): Promise<void>;
}

/**
 * The adapter factory oidc-provider calls per model: rows in
 * `oidc_payloads`, clients from the applications context (read-only), and a
 * revoked grant reported, so that its Careid session ends with it.
 */
export function storageAdapter(payloads: OidcPayloadsRepository, hooks: StorageHooks): (name: string) => ProviderAdapter {
  class PostgresAdapter implements ProviderAdapter {
    constructor(private readonly kind: string) {}

    async upsert(id: string, payload: Record<string, any>, expiresIn?: number): Promise<void> {
      if (this.kind === 'Client') return;
      await payloads.upsert(this.kind, id, {
        payload,
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null,
      });
    }

    async find(id: string): Promise<Record<string, unknown> | undefined> {
      if (this.kind === 'Client') return hooks.findClient(id);
      return inModuleRealm(await payloads.find(this.kind, id));
    }

    async findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined> {
      return inModuleRealm(await payloads.findBy(this.kind, 'user_code', userCode));
    }

    async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
      return inModuleRealm(await payloads.findBy(this.kind, 'uid', uid));
    }

    consume(id: string): Promise<void> {
      return payloads.consume(this.kind, id);
    }

    async destroy(id: string): Promise<void> {
      const destroyed = await payloads.destroy(this.kind, id);
      if (destroyed && this.kind === 'Grant') await hooks.grantEnded(id);
    }

    revokeByGrantId(grantId: string): Promise<void> {
      return payloads.revokeByGrantId(this.kind, grantId);
    }
  }
  // A factory, not the class: oidc-provider's test for a class does not hold across jest's realms.
  return (name) => new PostgresAdapter(name);
}

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { FederatedFlow, SecretCipher } from '@careid/identity';
import { OidcPayloadsRepository } from '../infrastructure/oidc-payloads.repository';

/** Rows of the provider's storage that oidc-provider itself never reads. */
const KIND = 'CareidFederation';
const UID = /^[\w-]{1,64}$/;

const contextOf = (uid: string) => `oidc.federation:${uid}`;

/**
 * The state of a "Continue with <provider>" request, kept beside its
 * interaction until the provider answers: the state, nonce and PKCE verifier
 * sealed (SecretCipher, bound to the interaction), one per interaction, taken
 * (deleted) by the first answer whatever it says, so that no answer is used twice.
 * The state starts with the interaction's uid: the one callback URL registered
 * at every provider finds its interaction by it.
 */
@Injectable()
export class FederationStates {
  constructor(
    private readonly payloads: OidcPayloadsRepository,
    private readonly cipher: SecretCipher,
  ) {}

  newState(uid: string): string {
    return `${uid}.${randomBytes(32).toString('base64url')}`;
  }

  /** The interaction a state names, when it has the form of one (the callback checks the rest). */
  static uidOf(state: unknown): string | null {
    if (typeof state !== 'string' || state.length > 200) return null;
    const uid = state.slice(0, state.indexOf('.'));
    return UID.test(uid) ? uid : null;
  }

  async keep(uid: string, state: string, flow: FederatedFlow, expiresAt: number): Promise<void> {
    const sealed = this.cipher.seal(JSON.stringify({ state, flow }), contextOf(uid));
    await this.payloads.upsert(KIND, uid, { payload: { sealed }, grantId: null, userCode: null, uid: null, expiresAt });
  }

  /** The flow `state` belongs to, used up; null when none is kept for the interaction or the state is not its own. */
  async take(uid: string, state: string | undefined): Promise<{ flow: FederatedFlow } | null> {
    const taken = await this.payloads.destroy(KIND, uid);
    if (!taken || typeof taken.sealed !== 'string' || state === undefined) return null;
    const kept = JSON.parse(this.cipher.open(taken.sealed, contextOf(uid))) as { state: string; flow: FederatedFlow };
    const [given, expected] = [Buffer.from(state), Buffer.from(kept.state)];
    return given.length === expected.length && timingSafeEqual(given, expected) ? { flow: kept.flow } : null;
  }
}

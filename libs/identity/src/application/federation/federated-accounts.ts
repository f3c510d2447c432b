import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, TransactionHost, translateDatabaseError } from '@careid/shared';
import type { FederatedIdentity, IdentityProvider, IdTokenIdentity } from '../../domain/federation';
import { identityError } from '../../domain/identity.errors';
import { identifierKey } from '../../domain/normalize';
import type { Principal } from '../../domain/principal';
import type { User } from '../../domain/user';
import { FederatedIdentitiesRepository } from '../../infrastructure/federated-identities.repository';
import { IdentityProvidersRepository } from '../../infrastructure/identity-providers.repository';
import { UsersRepository } from '../../infrastructure/users.repository';
import { AuditTrail } from '../audit-trail';
import { UsersService } from '../users.service';
import { IdTokenVerifier } from './id-token-verifier';

/** Who an ID token stands for at Careid, or why nobody (for the audit trail, never for the client). */
export interface FederatedMatch {
  provider: IdentityProvider | null;
  user: User | null;
  subject?: string;
  /** How the user was found: by its link, by a verified email (linked once the sign-in is admitted) or by signing up. */
  via?: 'subject' | 'email' | 'signup';
  refusal?: string;
  /** Links the subject to the user found by email: run once the login rules admit the user. */
  link?: () => Promise<void>;
}

/**
 * Users' accounts at external identity providers. A verified ID token finds
 * its user by the provider's `sub` once linked; the first time, by an email
 * the provider marks verified (the link is then made), or, where the
 * provider allows sign-up, by creating an ACTIVE user with its default roles.
 */
@Injectable()
export class FederatedAccounts {
  constructor(
    private readonly tx: TransactionHost,
    private readonly providers: IdentityProvidersRepository,
    private readonly verifier: IdTokenVerifier,
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly identities: FederatedIdentitiesRepository,
    private readonly audit: AuditTrail,
  ) {}

  /** `nonce`: the one Careid sent with its own authorization request, which the token must carry. */
  async match(alias: string, idToken: string, nonce?: string): Promise<FederatedMatch> {
    const provider = await this.providers.findByAlias(alias);
    if (!provider) return { provider, user: null, refusal: 'unknown-provider' };
    const checked = await this.verifier.verify(provider, idToken, nonce);
    if ('refusal' in checked) return { provider, user: null, refusal: checked.refusal };
    const { identity } = checked;
    const subject = identity.subject;
    const linked = await this.users.findByFederatedIdentity(alias, subject);
    if (linked) return { provider, user: linked, subject, via: 'subject' };
    if (!identity.email || !identity.emailVerified) return { provider, user: null, subject, refusal: 'email-not-verified' };
    const byEmail = await this.users.findByEmailKey(identifierKey(identity.email));
    if (byEmail) {
      // A user has one account per provider: another subject of the same provider does not take it over.
      if (await this.identities.subjectOf(byEmail.id, alias))
        return { provider, user: null, subject, refusal: 'linked-to-another-subject' };
      return { provider, user: byEmail, subject, via: 'email', link: () => this.link(provider, identity, byEmail.id, 'email') };
    }
    if (!provider.allowSignup) return { provider, user: null, subject, refusal: 'no-account' };
    return this.signUp(provider, identity);
  }

  /** The user's linked accounts: the user itself, or an admin (404 for anyone else, as for the user). */
  async listOf(userId: string, actor: Principal): Promise<FederatedIdentity[]> {
    await this.usersService.getVisible(userId, actor);
    return this.identities.listOf(userId);
  }

  /** Unlinks the user's account at a provider; sessions it opened stay open, it opens no new one. */
  async unlink(userId: string, provider: string, actor: Principal): Promise<void> {
    await this.usersService.getVisible(userId, actor);
    await this.tx.run(async () => {
      if (!(await this.identities.unlink(userId, provider))) throw identityError('FEDERATED_IDENTITY_NOT_FOUND');
      await this.audit.record({ type: 'FEDERATED_IDENTITY_UNLINKED', targetType: 'User', targetId: userId, details: { provider } });
    });
  }

  private async signUp(provider: IdentityProvider, identity: IdTokenIdentity): Promise<FederatedMatch> {
    const subject = identity.subject;
    try {
      const user = await this.tx.run(async () => {
        const created = await this.usersService.create({
          login: identity.email!,
          email: identity.email!,
          name: identity.name ?? undefined,
          roles: provider.defaultRoles,
          status: 'ACTIVE',
        });
        await this.link(provider, identity, created.id, 'signup');
        return created;
      });
      return { provider, user, subject, via: 'signup' };
    } catch (error) {
      const refused = error instanceof DomainError ? error : translateDatabaseError(error);
      if (refused?.kind !== 'invalid') throw error;
      // The same subject's concurrent first sign-in may have created the user; anything else (a login taken, an
      // address Careid does not accept) refuses the sign-up.
      const again = await this.users.findByFederatedIdentity(provider.alias, subject);
      return again
        ? { provider, user: again, subject, via: 'subject' }
        : { provider, user: null, subject, refusal: `signup-${refused.code.toLowerCase()}` };
    }
  }

  private async link(provider: IdentityProvider, identity: IdTokenIdentity, userId: string, via: 'email' | 'signup'): Promise<void> {
    const linked = await this.identities.link(randomUUID(), {
      provider: provider.alias,
      subject: identity.subject,
      userId,
      email: identity.email,
      created: Date.now(),
    });
    if (!linked) return;
    await this.audit.record({
      type: 'FEDERATED_IDENTITY_LINKED',
      targetType: 'User',
      targetId: userId,
      details: { provider: provider.alias, subject: identity.subject, via },
    });
  }
}

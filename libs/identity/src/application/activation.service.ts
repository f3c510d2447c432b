import { createPublicKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfigService, DomainEvents, TransactionHost } from '@careid/shared';
import { ACTIVATION_REDIRECTS, ActivationRedirects } from '../domain/activation-redirects';
import { PatientAccessRequested } from '../domain/identity.events';
import { identifierKey } from '../domain/normalize';
import type { User } from '../domain/user';
import { UsersRepository } from '../infrastructure/users.repository';
import { AuditTrail } from './audit-trail';
import { LockoutService } from './lockout.service';
import { LoginTokensService } from './login-tokens.service';
import { PrincipalCache } from './principal-cache';
import { SessionsService, TokenPair } from './sessions.service';
import { UsersService } from './users.service';
import { identityError } from '../domain/identity.errors';

const MAX_PUBLIC_KEY_HEX = 8192;

/** A hex-encoded SPKI RSA public key, as iCure's client exports it; returns it lower-cased. */
export function parsePublicKey(publicKeyHex: string): string {
  const hex = publicKeyHex.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex) || hex.length % 2 !== 0 || hex.length > MAX_PUBLIC_KEY_HEX) {
    throw identityError('INVALID_PUBLIC_KEY');
  }
  try {
    const key = createPublicKey({ key: Buffer.from(hex, 'hex'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new Error('not RSA ≥ 2048');
  } catch {
    throw identityError('INVALID_PUBLIC_KEY', 'publicKey must be a hex-encoded SPKI RSA public key of at least 2048 bits');
  }
  return hex;
}

/**
 * iCure's authenticateAndAskAccessToItsExistingData: the invited patient logs
 * in once with the token from its message, registers its public key, becomes
 * ACTIVE, receives a long-lived token, and asks every practitioner holding
 * its data for access (PatientAccessRequested). Only a REGISTERING user
 * activates, once; the invitation token is good for nothing else.
 */
@Injectable()
export class ActivationService {
  private readonly longLivedSeconds: number;

  constructor(
    private readonly tx: TransactionHost,
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly loginTokens: LoginTokensService,
    private readonly sessions: SessionsService,
    private readonly lockout: LockoutService,
    private readonly principals: PrincipalCache,
    private readonly audit: AuditTrail,
    private readonly events: DomainEvents,
    @Inject(ConfigService) config: AppConfigService,
    @Inject(ACTIVATION_REDIRECTS) private readonly redirects: ActivationRedirects,
  ) {
    this.longLivedSeconds = config.get('auth', { infer: true }).longLivedTokenSeconds;
  }

  async activate(
    login: string,
    token: string,
    publicKeyHex: string,
  ): Promise<TokenPair & { longLivedToken: string; user: User; redirectUrl?: string }> {
    const publicKey = parsePublicKey(publicKeyHex);
    const loginKey = identifierKey(login);
    await this.lockout.assertNotLocked(loginKey);
    const user = await this.users.findByLoginKey(loginKey);
    // Activation runs once per user: an ACTIVE patient showing a live token of its own is told so, and nothing is added.
    if (user?.patientId && user.status === 'ACTIVE' && (await this.loginTokens.isLive(user.id, token)))
      throw identityError('ALREADY_ACTIVE');
    const eligible = user && user.patientId && user.status === 'REGISTERING';
    const result = eligible
      ? await this.tx.run(async () => {
          // Single use, also under concurrent calls: the token row is deleted by exactly one of them.
          if (!(await this.loginTokens.consume(user.id, token))) return null;
          const active = await this.usersService.markActive(user.id);
          const longLived = await this.loginTokens.create(user.id, this.longLivedSeconds, 'long-lived', this.longLivedSeconds);
          await this.events.publish(new PatientAccessRequested(user.id, user.patientId!, publicKey));
          await this.audit.record({
            type: 'PATIENT_ACTIVATED',
            targetType: 'User',
            targetId: user.id,
            actorId: user.id,
            actorLogin: user.login,
            details: { patientId: user.patientId },
          });
          const pair = await this.sessions.start(active);
          await this.principals.userChanged(user.id);
          // The invitation was accepted by PatientAccessRequested's handler, in this transaction.
          const redirectUrl = await this.redirects.redirectUrlOf(user.id);
          return {
            ...pair,
            longLivedToken: longLived.token,
            user: (await this.users.findById(user.id))!,
            ...(redirectUrl ? { redirectUrl } : {}),
          };
        })
      : null;
    if (!result) {
      await this.lockout.recordFailure(loginKey);
      await this.audit.record({
        type: 'ACTIVATION_FAILED',
        outcome: 'failure',
        targetType: 'User',
        targetId: user?.id ?? null,
        actorId: null,
      });
      throw identityError('INVALID_ACTIVATION');
    }
    await this.lockout.recordSuccess(loginKey);
    return result;
  }
}

import { DomainError, Metrics } from '@careid/shared';
import type { User } from '../../domain/user';
import type { AuditRecord, AuditTrail } from '../audit-trail';
import type { LockoutService } from '../lockout.service';
import type { SessionsService, TokenPair } from '../sessions.service';
import type { TwoFactorService } from '../two-factor.service';
import type { LoginCandidate, LoginMethod } from './login-method';
import { LoginRules } from './login-rules';

/** A login method of a kind Careid does not have: the rules hold for it without it doing anything about them. */
class SomeNewMethod implements LoginMethod<{ secret: string }> {
  readonly method = 'federated-id-token' as const;
  readonly refusedWith = 'INVALID_CREDENTIALS' as const;
  proved = 0;
  constructor(private readonly candidate: LoginCandidate | null) {}
  async find(): Promise<LoginCandidate | null> {
    return this.candidate;
  }
  async prove(attempt: { secret: string }): Promise<boolean> {
    this.proved += 1;
    return attempt.secret === 'right';
  }
}

const user = (fields: Partial<User> = {}) => ({ id: 'u1', login: 'jane', status: 'ACTIVE', use2fa: false, ...fields }) as User;
const PAIR: TokenPair = { accessToken: 'a', refreshToken: 'r', expiresIn: 900, tokenType: 'Bearer' };

function rulesWith(validTotp = true) {
  const world = {
    audit: [] as AuditRecord[],
    failures: [] as string[],
    cleared: [] as string[],
    sessions: [] as { audit?: AuditRecord; credentialExpiresAt: number | null }[],
    steps: [] as string[],
  };
  const lockout = {
    assertUnlocked: (lockedUntil: number) => {
      if (lockedUntil > Date.now()) throw new DomainError('LOGIN_LOCKED', 'locked', 'too-many');
    },
    recordFailure: async (key: string) => (world.failures.push(key), { lockedForMs: 0 }),
    recordSuccess: async (key: string) => void world.cleared.push(key),
  } as unknown as LockoutService;
  const twoFactor = { verifyLoginCode: async () => validTotp } as unknown as TwoFactorService;
  const sessions = {
    start: async (_user: User, audit: AuditRecord, credentialExpiresAt: number | null) => {
      world.steps.push('session');
      world.sessions.push({ audit, credentialExpiresAt });
      return PAIR;
    },
  } as unknown as SessionsService;
  const audit = { record: async (event: AuditRecord) => void world.audit.push(event) } as unknown as AuditTrail;
  const metrics = new Metrics();
  return { rules: new LoginRules(lockout, twoFactor, sessions, audit, metrics), world, metrics };
}

const lock = (lockedUntil = 0, hasFailures = false) => ({ loginKey: 'jane', lockedUntil, hasFailures });
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'none',
    (error: DomainError) => error.code,
  );

describe('LoginRules: what every login method goes through', () => {
  it('refuses a locked login before the method checks the credential', async () => {
    const { rules, world } = rulesWith();
    const method = new SomeNewMethod({ user: user(), lock: lock(Date.now() + 60_000), asksTotp: true });
    expect(await codeOf(rules.signIn(method, { secret: 'right' }))).toBe('LOGIN_LOCKED');
    expect(method.proved).toBe(0);
    expect(world.sessions).toEqual([]);
  });

  it('counts a credential that proves nobody against the login, records it and answers the method’s refusal', async () => {
    const { rules, world } = rulesWith();
    const method = new SomeNewMethod({ user: user(), lock: lock(), asksTotp: true, details: { provider: 'p' } });
    expect(await codeOf(rules.signIn(method, { secret: 'wrong' }))).toBe('INVALID_CREDENTIALS');
    expect(world.failures).toEqual(['jane']);
    expect(world.audit).toEqual([
      expect.objectContaining({
        type: 'LOGIN_FAILED',
        outcome: 'failure',
        details: { provider: 'p', method: 'federated-id-token', reason: 'credentials', locked: false },
      }),
    ]);
  });

  it('admits only ACTIVE users, recording the refusal without counting it as a guess', async () => {
    const { rules, world } = rulesWith();
    const method = new SomeNewMethod({ user: user({ status: 'DISABLED' }), lock: lock(), asksTotp: true });
    expect(await codeOf(rules.signIn(method, { secret: 'right' }))).toBe('ACCOUNT_NOT_ACTIVE');
    expect(world.failures).toEqual([]);
    expect(world.audit).toEqual([
      expect.objectContaining({ type: 'LOGIN_FAILED', outcome: 'denied', details: expect.objectContaining({ reason: 'DISABLED' }) }),
    ]);
    expect(world.sessions).toEqual([]);
  });

  it('asks users with use2fa for a valid code where the method asks for one', async () => {
    const candidate = (fields: Partial<LoginCandidate>) => ({ user: user({ use2fa: true }), lock: lock(), asksTotp: true, ...fields });
    expect(await codeOf(rulesWith().rules.signIn(new SomeNewMethod(candidate({})), { secret: 'right' }))).toBe('TOTP_REQUIRED');
    const wrongCode = rulesWith(false);
    expect(await codeOf(wrongCode.rules.signIn(new SomeNewMethod(candidate({ totp: '000000' })), { secret: 'right' }))).toBe(
      'TOTP_INVALID',
    );
    expect(wrongCode.world.failures).toEqual(['jane']);
    expect(await rulesWith().rules.signIn(new SomeNewMethod(candidate({ totp: '123456' })), { secret: 'right' })).toEqual(PAIR);
    expect(await rulesWith().rules.signIn(new SomeNewMethod(candidate({ asksTotp: false })), { secret: 'right' })).toEqual(PAIR);
  });

  it('opens the session once the method’s own step is done, with LOGIN_SUCCEEDED, clearing the login’s failures', async () => {
    const { rules, world } = rulesWith();
    const method = new SomeNewMethod({
      user: user(),
      lock: lock(0, true),
      asksTotp: true,
      credentialExpiresAt: 1234,
      whenAdmitted: async () => void world.steps.push('linked'),
    });
    expect(await rules.signIn(method, { secret: 'right' })).toEqual(PAIR);
    expect(world.steps).toEqual(['linked', 'session']);
    expect(world.cleared).toEqual(['jane']);
    expect(world.sessions).toEqual([
      {
        audit: expect.objectContaining({ type: 'LOGIN_SUCCEEDED', actorId: 'u1', details: { method: 'federated-id-token' } }),
        credentialExpiresAt: 1234,
      },
    ]);
  });

  it('leaves an attempt the method does not apply to for the next method, recording nothing', async () => {
    const { rules, world } = rulesWith();
    expect(await rules.signIn(new SomeNewMethod(null), { secret: 'right' })).toBeNull();
    expect(world.audit).toEqual([]);
  });

  it('answers a method’s own refusal (an unknown provider) after recording it, without a lockout to count', async () => {
    const { rules, world } = rulesWith();
    const refusalError = new DomainError('UNKNOWN_IDENTITY_PROVIDER', 'unknown');
    const method = new SomeNewMethod({ user: null, lock: null, asksTotp: false, refusal: 'unknown-provider', refusalError });
    expect(await codeOf(rules.signIn(method, { secret: 'right' }))).toBe('UNKNOWN_IDENTITY_PROVIDER');
    expect(world.failures).toEqual([]);
    expect(world.audit[0].details).toMatchObject({ reason: 'unknown-provider' });
  });

  it('counts every attempt a method applies to by method and outcome (success, or the refusal’s code)', async () => {
    const { rules, metrics } = rulesWith();
    const method = (fields: Partial<LoginCandidate> = {}) => new SomeNewMethod({ user: user(), lock: lock(), asksTotp: true, ...fields });
    await rules.signIn(method(), { secret: 'right' });
    await codeOf(rules.signIn(method(), { secret: 'wrong' }));
    await codeOf(rules.signIn(method({ lock: lock(Date.now() + 60_000) }), { secret: 'right' }));
    await rules.signIn(new SomeNewMethod(null), { secret: 'right' });
    const { values } = await metrics.registry.getSingleMetric('careid_login_attempts_total')!.get();
    expect(values.map(({ labels, value }) => [labels.method, labels.outcome, value])).toEqual([
      ['federated-id-token', 'success', 1],
      ['federated-id-token', 'invalid_credentials', 1],
      ['federated-id-token', 'login_locked', 1],
    ]);
  });
});

import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfigService, DomainError, firstRev, nextRev, Page, registerUniqueConstraintCode, TransactionHost } from '@careid/shared';
import { normalizeAccessPolicy } from '../domain/access-policy';
import type { CredentialEvent } from '../domain/credential-lifecycle';
import { DATA_OWNER_DIRECTORY, DataOwnerDirectory } from '../domain/data-owner-directory';
import { assertPasswordAcceptable, cleanEmail, cleanIdentifier, identifierKey } from '../domain/normalize';
import { Principal } from '../domain/principal';
import { User } from '../domain/user';
import { UNCHANGED_PASSWORD, UserInput, userChanges } from '../domain/user-changes';
import { FederatedIdentitiesRepository } from '../infrastructure/federated-identities.repository';
import { UserColumns, UserQuery, UsersRepository } from '../infrastructure/users.repository';
import { AuditRecord, AuditTrail } from './audit-trail';
import { LockoutService } from './lockout.service';
import { PasswordHasher } from './password-hasher';
import { CredentialLifecycle } from './credential-lifecycle.service';
import { PrincipalCache } from './principal-cache';
import { IDENTITY_ERRORS, identityError } from '../domain/identity.errors';

registerUniqueConstraintCode('uq_users_login', 'DUPLICATE_LOGIN', IDENTITY_ERRORS.DUPLICATE_LOGIN.message);
registerUniqueConstraintCode('uq_users_email', 'DUPLICATE_EMAIL', IDENTITY_ERRORS.DUPLICATE_EMAIL.message);
registerUniqueConstraintCode('uq_users_patient', 'PATIENT_ALREADY_HAS_USER', IDENTITY_ERRORS.PATIENT_ALREADY_HAS_USER.message);
registerUniqueConstraintCode(
  'uq_users_healthcare_party',
  'PRACTITIONER_ALREADY_HAS_USER',
  IDENTITY_ERRORS.PRACTITIONER_ALREADY_HAS_USER.message,
);
registerUniqueConstraintCode('users_pkey', 'DUPLICATE_ID', IDENTITY_ERRORS.DUPLICATE_ID.message);
registerUniqueConstraintCode('ck_users_one_data_owner', 'ONE_DATA_OWNER', IDENTITY_ERRORS.ONE_DATA_OWNER.message);

export type { UserInput } from '../domain/user-changes';

export interface UserFilter extends Omit<UserQuery, 'prefix'> {
  q?: string;
}

/** The identity context's facade for users: the HTTP layer and other contexts call this. */
@Injectable()
export class UsersService {
  private readonly groupId: string;

  constructor(
    private readonly tx: TransactionHost,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly lifecycle: CredentialLifecycle,
    private readonly principals: PrincipalCache,
    private readonly lockout: LockoutService,
    private readonly audit: AuditTrail,
    private readonly federatedIdentities: FederatedIdentitiesRepository,
    @Inject(ConfigService) config: AppConfigService,
    @Inject(DATA_OWNER_DIRECTORY) private readonly dataOwners: DataOwnerDirectory,
  ) {
    this.groupId = config.get('app', { infer: true }).groupId;
  }

  /** `dataOwnersVerified`: the caller has just read the patient or practitioner the user stands for, in this use case. */
  async create(input: UserInput, options: { dataOwnersVerified?: boolean } = {}): Promise<User> {
    const { login, email } = identifiersOf(input);
    await this.assertDataOwnersExist(input, options.dataOwnersVerified);
    let passwordHash: string | null = null;
    if (input.passwordHash && input.passwordHash !== UNCHANGED_PASSWORD) {
      assertPasswordAcceptable(input.passwordHash, login);
      passwordHash = await this.hasher.hash(input.passwordHash);
    }
    const id = input.id ?? randomUUID();
    const columns = this.newUserColumns(input, login, email, passwordHash, Date.now());
    return this.tx.run(async () => {
      const user = await this.users.insert(id, columns);
      await this.audit.record(userCreated(user));
      return user;
    });
  }

  /**
   * Users without a password whose patient or practitioner the caller has just read (a bulk invitation's batch),
   * written and audited together in the caller's transaction as `create` would one by one. A unique index reached
   * fails them all.
   */
  async createManyWithoutPassword(inputs: Omit<UserInput, 'passwordHash'>[]): Promise<User[]> {
    const now = Date.now();
    const users = inputs.map((input) => {
      const { login, email } = identifiersOf(input);
      return { id: input.id ?? randomUUID(), columns: this.newUserColumns(input, login, email, null, now) };
    });
    await this.users.insertMany(users);
    const created = users.map(({ id, columns }): User => {
      const { loginKey: _loginKey, emailKey: _emailKey, loginSkeleton: _skeleton, ...user } = columns;
      return { ...user, id, authenticationTokens: {} };
    });
    await this.audit.recordMany(created.map(userCreated));
    return created;
  }

  private newUserColumns(input: UserInput, login: string, email: string | null, passwordHash: string | null, now: number): UserColumns {
    return {
      rev: firstRev(),
      created: now,
      modified: now,
      deletionDate: null,
      name: input.name ?? null,
      properties: input.properties ?? {},
      permissions: input.permissions ?? [],
      roles: input.roles ?? [],
      type: 'database',
      status: input.status ?? 'ACTIVE',
      login,
      loginKey: identifierKey(login),
      passwordHash,
      secret: null,
      pendingSecret: null,
      totpLastStep: null,
      use2fa: false,
      groupId: this.groupId,
      healthcarePartyId: input.healthcarePartyId ?? null,
      patientId: input.patientId ?? null,
      autoDelegations: input.autoDelegations ?? {},
      createdDate: input.createdDate ?? now,
      termsOfUseDate: input.termsOfUseDate ?? null,
      email,
      emailKey: email ? identifierKey(email) : null,
      sharingDataWith: input.sharingDataWith ?? {},
      accessPolicy: input.accessPolicy ? normalizeAccessPolicy(input.accessPolicy) : null,
      sessionVersion: 1,
    };
  }

  /** `sessionId` is the caller's session: a user changing its own password keeps it, and ends every other. */
  async modify(id: string, input: UserInput, actor: Principal, sessionId: string | null = null): Promise<User> {
    if (!input.rev) throw identityError('REV_REQUIRED');
    if (input.id && input.id !== id) throw identityError('ID_MISMATCH');
    const current = await this.getVisible(id, actor);
    const self = actor.userId === id;
    const { changes, changed, newPassword, privilegesChanged } = userChanges(current, input, actor.isAdmin);
    if (self && (changed.includes('passwordHash') || changed.includes('email'))) {
      await this.assertCurrentPassword(current, input.currentPassword);
    }
    await this.assertDataOwnersExist({
      healthcarePartyId: changes.healthcarePartyId,
      patientId: changes.patientId,
      autoDelegations: changes.autoDelegations,
    });
    if (newPassword !== undefined) changes.passwordHash = await this.hasher.hash(newPassword);
    if (privilegesChanged) changes.sessionVersion = current.sessionVersion + 1;
    changes.rev = nextRev(input.rev);
    changes.modified = Date.now();
    const rev = input.rev;
    return this.tx.run(async () => {
      const updated = await this.users.updateIfRev(id, rev, changes);
      if (!updated) throw await this.staleOrMissing(id);
      const events: CredentialEvent[] = [];
      if (privilegesChanged) events.push('user-changed');
      if (newPassword !== undefined) events.push(self ? 'password-changed' : 'password-set-by-admin');
      if (changed.includes('email')) events.push('email-changed');
      // Each raised event tells every instance of the change; a plain profile change tells them here.
      if (!events.length) await this.principals.userChanged(id);
      for (const event of events) await this.lifecycle.raise(event, { userId: id, login: updated.login, sessionId });
      await this.recordModification(current, updated, changed);
      return updated;
    });
  }

  /** A user the actor may see: admins see everyone, others only themselves (anyone else is "not found"). */
  async getVisible(id: string, actor: Principal): Promise<User> {
    if (!actor.isAdmin && actor.userId !== id) throw this.notFound();
    const user = await this.users.findById(id);
    if (!user) throw this.notFound();
    return user;
  }

  async getByEmailVisible(email: string, actor: Principal): Promise<User> {
    const user = await this.users.findByEmailKey(identifierKey(email));
    if (!user || (!actor.isAdmin && user.id !== actor.userId)) throw this.notFound();
    return user;
  }

  async filter(filter: UserFilter, limit: number, cursor?: string): Promise<Page<User>> {
    return this.users.filter(this.userQuery(filter), limit, cursor);
  }

  async count(filter: UserFilter): Promise<number> {
    return this.users.count(this.userQuery(filter));
  }

  async delete(id: string): Promise<{ id: string; rev: string }> {
    return this.tx.run(async () => {
      const deleted = await this.users.softDelete(id, Date.now());
      if (!deleted) throw this.notFound();
      await this.lifecycle.raise('user-changed', { userId: id });
      await this.federatedIdentities.unlinkAll(id);
      await this.audit.record({ type: 'USER_DELETED', targetType: 'User', targetId: id });
      return deleted;
    });
  }

  async clearLockout(id: string, actor: Principal): Promise<void> {
    const user = await this.getVisible(id, actor);
    const cleared = await this.lockout.clear(identifierKey(user.login));
    await this.audit.record({ type: 'LOCKOUT_CLEARED', targetType: 'User', targetId: id, details: { wasLocked: cleared } });
  }

  // --- for other contexts ---

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  findByPatientId(patientId: string): Promise<User | null> {
    return this.users.findByPatientId(patientId);
  }

  /** The patients of `patientIds` that a user stands for. */
  patientsWithUser(patientIds: string[]): Promise<string[]> {
    return this.users.patientsWithUser(patientIds);
  }

  /** The logins and emails of `identifiers` that a user already has (as a login or as an email). */
  async takenIdentifiers(identifiers: string[]): Promise<Set<string>> {
    const taken = new Set(await this.users.takenKeys(identifiers.map(identifierKey)));
    return new Set(identifiers.filter((identifier) => taken.has(identifierKey(identifier))));
  }

  findByLogin(login: string): Promise<User | null> {
    return this.users.findByLoginKey(identifierKey(login));
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findByEmailKey(identifierKey(email));
  }

  /**
   * Checks a password chosen through a one-time ticket against the rules and
   * hashes it: done before the ticket's transaction opens, so bcrypt does not
   * run while the ticket row is locked.
   */
  async hashNewPassword(userId: string, password: string): Promise<string> {
    const user = await this.users.findById(userId);
    if (!user) throw this.notFound();
    assertPasswordAcceptable(password, user.login);
    return this.hasher.hash(password);
  }

  /**
   * Sets a password (hashed by `hashNewPassword`) chosen through a one-time ticket. An invitation's ticket also
   * makes the REGISTERING user ACTIVE; a reset's never changes the status, and ends what a reset ends.
   */
  async setPasswordWithTicket(userId: string, passwordHash: string, purpose: 'invitation' | 'password-reset'): Promise<User> {
    return this.tx.run(async () => {
      const user = await this.users.findById(userId);
      if (!user) throw this.notFound();
      const status = purpose === 'invitation' && user.status === 'REGISTERING' ? 'ACTIVE' : user.status;
      const updated = await this.users.updateIfRev(userId, user.rev, {
        passwordHash,
        status,
        rev: nextRev(user.rev),
        modified: Date.now(),
      });
      if (!updated) throw identityError('REVISION_CONFLICT');
      if (purpose === 'password-reset') await this.lifecycle.raise('password-reset', { userId, login: user.login });
      else {
        await this.principals.userChanged(userId);
        await this.lockout.recordSuccess(identifierKey(user.login));
      }
      await this.audit.record({
        type: 'PASSWORD_CHANGED',
        targetType: 'User',
        targetId: userId,
        actorId: userId,
        details: { via: purpose },
      });
      return updated;
    });
  }

  /** Makes a REGISTERING user ACTIVE (first login of an invited patient). */
  async markActive(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw this.notFound();
    if (user.status === 'ACTIVE') return user;
    const updated = await this.users.updateIfRev(userId, user.rev, { status: 'ACTIVE', rev: nextRev(user.rev), modified: Date.now() });
    if (!updated) throw identityError('REVISION_CONFLICT');
    await this.principals.userChanged(userId);
    await this.audit.record({
      type: 'USER_STATUS_CHANGED',
      targetType: 'User',
      targetId: userId,
      details: { from: user.status, to: 'ACTIVE' },
    });
    return updated;
  }

  private async recordModification(before: User, after: User, changed: string[]): Promise<void> {
    const id = after.id;
    await this.audit.record({ type: 'USER_MODIFIED', targetType: 'User', targetId: id, details: { fields: changed } });
    if (changed.includes('roles')) {
      await this.audit.record({
        type: 'USER_ROLES_CHANGED',
        targetType: 'User',
        targetId: id,
        details: { from: before.roles, to: after.roles },
      });
    }
    if (changed.includes('status')) {
      await this.audit.record({
        type: 'USER_STATUS_CHANGED',
        targetType: 'User',
        targetId: id,
        details: { from: before.status, to: after.status },
      });
    }
    if (changed.includes('passwordHash')) await this.audit.record({ type: 'PASSWORD_CHANGED', targetType: 'User', targetId: id });
  }

  private userQuery(filter: UserFilter): UserQuery {
    const { q, ...rest } = filter;
    return { ...rest, prefix: q !== undefined ? identifierKey(q) : undefined };
  }

  private async assertCurrentPassword(user: User, currentPassword: string | undefined): Promise<void> {
    if (!currentPassword) throw identityError('CURRENT_PASSWORD_REQUIRED');
    const loginKey = identifierKey(user.login);
    await this.lockout.assertNotLocked(loginKey);
    if (!user.passwordHash || !(await this.hasher.verify(currentPassword, user.passwordHash))) {
      await this.lockout.recordFailure(loginKey);
      throw identityError('CURRENT_PASSWORD_INVALID');
    }
  }

  private async assertDataOwnersExist(
    input: {
      healthcarePartyId?: string | null;
      patientId?: string | null;
      autoDelegations?: Record<string, string[]>;
    },
    ownerVerified = false,
  ): Promise<void> {
    if (input.healthcarePartyId && input.patientId) {
      throw identityError('ONE_DATA_OWNER');
    }
    if (input.healthcarePartyId && !ownerVerified && !(await this.dataOwners.practitionerExists(input.healthcarePartyId))) {
      throw identityError('PRACTITIONER_NOT_FOUND');
    }
    if (input.patientId && !ownerVerified && !(await this.dataOwners.patientExists(input.patientId))) {
      throw identityError('PATIENT_NOT_FOUND');
    }
    const delegates = Object.values(input.autoDelegations ?? {}).flat();
    const unknown = delegates.length ? await this.dataOwners.unknownDataOwners(delegates) : [];
    if (unknown.length) {
      throw identityError('UNKNOWN_DATA_OWNER', `autoDelegations names no existing patient or practitioner: ${unknown.join(', ')}`);
    }
  }

  private async staleOrMissing(id: string): Promise<DomainError> {
    return (await this.users.exists(id))
      ? identityError('REVISION_CONFLICT', 'The user was modified meanwhile; reload it and apply your change again')
      : this.notFound();
  }

  private notFound(): DomainError {
    return identityError('USER_NOT_FOUND');
  }
}

/** The login (the email when none is given) and the email of a new user, cleaned; no login at all → 400. */
function identifiersOf(input: Pick<UserInput, 'login' | 'email'>): { login: string; email: string | null } {
  const login = cleanIdentifier(input.login ?? input.email ?? '');
  if (!login) throw identityError('LOGIN_REQUIRED');
  return { login, email: input.email ? cleanEmail(input.email) : null };
}

function userCreated(user: User): AuditRecord {
  return { type: 'USER_CREATED', targetType: 'User', targetId: user.id, details: { roles: user.roles, status: user.status } };
}

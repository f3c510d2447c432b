import { AccessPolicy, normalizeAccessPolicy } from './access-policy';
import { assertPasswordAcceptable, cleanEmail, cleanIdentifier, identifierKey } from './normalize';
import type { User, UserStatus } from './user';
import { identityError } from './identity.errors';

/** What a client may write on a user (the DTO after validation). */
export interface UserInput {
  id?: string;
  rev?: string;
  name?: string | null;
  properties?: Record<string, unknown>;
  permissions?: unknown[];
  roles?: string[];
  status?: UserStatus;
  login?: string;
  passwordHash?: string;
  currentPassword?: string;
  healthcarePartyId?: string | null;
  patientId?: string | null;
  autoDelegations?: Record<string, string[]>;
  createdDate?: number;
  termsOfUseDate?: number | null;
  email?: string | null;
  sharingDataWith?: Record<string, unknown>;
  accessPolicy?: { rule: { resource: string | string[]; action: string | string[]; effect: string }[] } | null;
}

/** The columns a modification writes: the user's fields plus the lookup keys derived from login and email. */
export type UserChangeSet = Partial<Omit<User, 'authenticationTokens' | 'id'>> & { loginKey?: string; emailKey?: string | null };

export interface UserChanges {
  changes: UserChangeSet;
  /** Public names of the fields that change (`passwordHash` for a new password). */
  changed: string[];
  /** The new password in clear, checked against the rules; the caller hashes it. */
  newPassword: string | undefined;
  /** A change to what the user may do: every session and token of it ends (CredentialLifecycle). */
  privilegesChanged: boolean;
}

/** A password of `*` in a modification means "keep the current one" (iCure's clients send it back). */
export const UNCHANGED_PASSWORD = '*';

/** Fields only an admin may set or change. */
const ADMIN_FIELDS = ['roles', 'status', 'permissions', 'accessPolicy', 'healthcarePartyId', 'patientId', 'login'] as const;
const PRIVILEGE_FIELDS = new Set(['roles', 'status', 'accessPolicy', 'healthcarePartyId', 'patientId']);
type PlainField = Exclude<keyof UserChangeSet, 'login' | 'loginKey' | 'email' | 'emailKey'>;

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * What a modification of `current` changes: only the fields whose value differs, login and email cleaned with
 * their keys, a new password checked against the rules. Refuses an admin-only field changed by anyone else.
 */
export function userChanges(current: User, input: UserInput, byAdmin: boolean): UserChanges {
  const changes: UserChangeSet = {};
  const changed: string[] = [];
  const set = <K extends PlainField>(field: K, value: UserChangeSet[K]) => {
    if (!sameJson((current as unknown as Record<string, unknown>)[field], value)) {
      changes[field] = value;
      changed.push(field);
    }
  };
  if (input.name !== undefined) set('name', input.name);
  if (input.properties !== undefined) set('properties', input.properties);
  if (input.permissions !== undefined) set('permissions', input.permissions);
  if (input.roles !== undefined) set('roles', [...new Set(input.roles)]);
  if (input.status !== undefined) set('status', input.status);
  if (input.login !== undefined) {
    const login = cleanIdentifier(input.login);
    if (!login) throw identityError('LOGIN_REQUIRED', 'The login must not be empty');
    if (login !== current.login) {
      changes.login = login;
      changes.loginKey = identifierKey(login);
      changed.push('login');
    }
  }
  if (input.email !== undefined) {
    const email = input.email ? cleanEmail(input.email) : null;
    if (email !== current.email) {
      changes.email = email;
      changes.emailKey = email ? identifierKey(email) : null;
      changed.push('email');
    }
  }
  if (input.healthcarePartyId !== undefined) set('healthcarePartyId', input.healthcarePartyId);
  if (input.patientId !== undefined) set('patientId', input.patientId);
  if (input.autoDelegations !== undefined) set('autoDelegations', input.autoDelegations);
  if (input.createdDate !== undefined) set('createdDate', input.createdDate);
  if (input.termsOfUseDate !== undefined) set('termsOfUseDate', input.termsOfUseDate);
  if (input.sharingDataWith !== undefined) set('sharingDataWith', input.sharingDataWith);
  if (input.accessPolicy !== undefined)
    set('accessPolicy', input.accessPolicy ? (normalizeAccessPolicy(input.accessPolicy) as AccessPolicy) : null);
  const newPassword = input.passwordHash && input.passwordHash !== UNCHANGED_PASSWORD ? input.passwordHash : undefined;
  if (newPassword !== undefined) {
    assertPasswordAcceptable(newPassword, changes.login ?? current.login);
    changed.push('passwordHash');
  }
  if (!byAdmin) {
    const forbidden = ADMIN_FIELDS.filter((field) => changed.includes(field));
    if (forbidden.length) throw identityError('FORBIDDEN_CHANGE', `Only an admin may change ${forbidden.join(', ')}`);
  }
  return { changes, changed, newPassword, privilegesChanged: changed.some((field) => PRIVILEGE_FIELDS.has(field)) };
}

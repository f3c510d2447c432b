import type { User } from './user';
import { userChanges } from './user-changes';

const current = {
  id: 'u1',
  rev: '1-a',
  name: 'Ada',
  login: 'ada',
  email: 'ada@example.org',
  roles: ['PATIENT'],
  status: 'ACTIVE',
  properties: {},
  accessPolicy: null,
} as unknown as User;

describe('userChanges', () => {
  it('keeps only the fields whose value differs, with the keys of a new login', () => {
    const { changes, changed, privilegesChanged } = userChanges(current, { name: 'Ada', login: ' Lovelace ', roles: ['PATIENT'] }, true);
    expect(changed).toEqual(['login']);
    expect(changes).toEqual({ login: 'Lovelace', loginKey: 'lovelace' });
    expect(privilegesChanged).toBe(false);
  });

  it('says a role change changes privileges', () => {
    expect(userChanges(current, { roles: ['ADMIN'] }, true).privilegesChanged).toBe(true);
  });

  it('refuses an admin-only field changed by anyone else', () => {
    expect(() => userChanges(current, { status: 'DISABLED' }, false)).toThrow(expect.objectContaining({ code: 'FORBIDDEN_CHANGE' }));
  });

  it('treats "*" as no new password', () => {
    const result = userChanges(current, { passwordHash: '*' }, false);
    expect(result.newPassword).toBeUndefined();
    expect(result.changed).toEqual([]);
  });
});

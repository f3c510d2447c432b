import { randomBytes } from 'node:crypto';
import type { AppConfigService } from '@careid/shared';
import { ENCRYPTED_PREFIX, SecretCipher } from './secret-cipher';

const cipherWith = (key: Buffer) => new SecretCipher({ get: () => ({ dataEncryptionKey: key }) } as unknown as AppConfigService);

describe('SecretCipher (AES-256-GCM at rest)', () => {
  const key = randomBytes(32);
  const cipher = cipherWith(key);

  it('seals a value that is not the value, differs each time, and opens in its own context', () => {
    const sealed = cipher.seal('JBSWY3DPEHPK3PXP', 'users.secret:u1');
    expect(sealed.startsWith(ENCRYPTED_PREFIX)).toBe(true);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(cipher.seal('JBSWY3DPEHPK3PXP', 'users.secret:u1')).not.toBe(sealed);
    expect(cipher.open(sealed, 'users.secret:u1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses another context (row or column), another key and an altered value', () => {
    const sealed = cipher.seal('JBSWY3DPEHPK3PXP', 'users.secret:u1');
    expect(() => cipher.open(sealed, 'users.secret:u2')).toThrow();
    expect(() => cipher.open(sealed, 'users.pending_secret:u1')).toThrow();
    expect(() => cipherWith(randomBytes(32)).open(sealed, 'users.secret:u1')).toThrow();
    const raw = Buffer.from(sealed.slice(ENCRYPTED_PREFIX.length), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => cipher.open(ENCRYPTED_PREFIX + raw.toString('base64'), 'users.secret:u1')).toThrow();
    expect(() => cipher.open('JBSWY3DPEHPK3PXP', 'users.secret:u1')).toThrow(/Not an encrypted value/);
  });
});

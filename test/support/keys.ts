import { generateKeyPairSync } from 'node:crypto';

/** A hex-encoded SPKI RSA-2048 public key, as a patient's client registers it at activation. */
export function publicKeyHex(): string {
  const { publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  return publicKey.toString('hex');
}

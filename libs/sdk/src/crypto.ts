// WebCrypto only (`globalThis.crypto.subtle`), so the same code runs in browsers and in Node 20.
// Key types are taken from `crypto.subtle` itself: they compile against DOM and Node typings alike.
type Subtle = typeof globalThis.crypto.subtle;
export type WebCryptoKey = Parameters<Subtle['exportKey']>[1];

export interface WebCryptoKeyPair {
  publicKey: WebCryptoKey;
  privateKey: WebCryptoKey;
}

/** A key pair as hex strings: the public key as SPKI, the private key as PKCS #8 (what the seeds pass around). */
export interface KeyPairHex {
  publicKey: string;
  privateKey: string;
}

const RSA_OAEP = { name: 'RSA-OAEP', hash: 'SHA-256' } as const;

function subtle(): Subtle {
  const found = globalThis.crypto?.subtle;
  if (!found) throw new Error('WebCrypto (globalThis.crypto.subtle) is not available: use Node 20+ or a browser in a secure context');
  return found;
}

export function ua2hex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function hex2ua(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || /[^0-9a-f]/i.test(hex)) throw new TypeError('Not a hex string');
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** The bytes of a hex string in an ArrayBuffer of their own (what WebCrypto takes in every typing). */
function bufferOf(hex: string): ArrayBuffer {
  return hex2ua(hex).buffer as ArrayBuffer;
}

/** RSA-OAEP with SHA-256, 2048-bit: the patient keys of iCure's flow. */
export class RsaCrypto {
  async generateKeyPair(): Promise<WebCryptoKeyPair> {
    const pair = await subtle().generateKey({ ...RSA_OAEP, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, [
      'encrypt',
      'decrypt',
    ]);
    return pair as WebCryptoKeyPair;
  }

  async exportKey(key: WebCryptoKey, format: 'spki' | 'pkcs8'): Promise<ArrayBuffer> {
    return (await subtle().exportKey(format, key)) as ArrayBuffer;
  }

  /** A new key pair, exported as hex SPKI / PKCS #8. */
  async generateKeyPairHex(): Promise<KeyPairHex> {
    const { publicKey, privateKey } = await this.generateKeyPair();
    return { publicKey: ua2hex(await this.exportKey(publicKey, 'spki')), privateKey: ua2hex(await this.exportKey(privateKey, 'pkcs8')) };
  }

  async importPublicKey(spkiHex: string): Promise<WebCryptoKey> {
    return subtle().importKey('spki', bufferOf(spkiHex), RSA_OAEP, true, ['encrypt']);
  }

  async importPrivateKey(pkcs8Hex: string): Promise<WebCryptoKey> {
    return subtle().importKey('pkcs8', bufferOf(pkcs8Hex), RSA_OAEP, true, ['decrypt']);
  }
}

export class CryptoApi {
  readonly RSA = new RsaCrypto();
}

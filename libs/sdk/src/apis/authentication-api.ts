import type { CareidApi } from '../careid-api.js';
import type { CryptoApi, KeyPairHex } from '../crypto.js';
import type { HttpClient } from '../http.js';
import type { UserDto } from '../models.js';
import type { Credentials, SessionTokens } from '../session.js';

/** Builds a logged-in CareidApi on the same server from a fresh session. */
export type StartSession = (credentials: Credentials | undefined, tokens: SessionTokens) => CareidApi;

/** Returns the key pair to register (hex SPKI public key, hex PKCS #8 private key), or nothing to have one generated. */
export type KeyPairProvider = () => Promise<KeyPairHex | undefined> | KeyPairHex | undefined;

export interface AuthenticationResult {
  /** Logged in as the new user; it logs in again with `longLivedToken` when its session ends. */
  api: CareidApi;
  /** Works as the user's password until it expires (LONG_LIVED_TOKEN_SECONDS); keep it with the private key. */
  longLivedToken: string;
  user: UserDto;
  keyPair: KeyPairHex;
}

/** RFC 8693's token type of an OpenID Connect ID token. */
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

export class AuthenticationApi {
  constructor(
    private readonly anonymous: HttpClient,
    private readonly crypto: CryptoApi,
    private readonly startSession: StartSession,
  ) {}

  /** Logs in with a password or a live token and returns the logged-in api. */
  async login(login: string, password: string): Promise<CareidApi> {
    const tokens = await this.anonymous.post('/api/v1/auth/login', { body: { login, password } });
    return this.startSession({ login, password }, tokens);
  }

  /**
   * Signs in with an ID token your frontend got from an external identity provider (`provider` is its alias
   * in Careid) and returns the logged-in api, as `login` does. That api refreshes its session but cannot log
   * in again by itself: when the session ends, get a new ID token. `totp` only where the provider requires it.
   */
  async exchangeIdToken(provider: string, idToken: string, totp?: string): Promise<CareidApi> {
    const tokens = await this.anonymous.post('/api/v1/auth/token-exchange', {
      body: { provider, subjectToken: idToken, subjectTokenType: ID_TOKEN_TYPE, ...(totp ? { totp } : {}) },
    });
    return this.startSession(undefined, tokens);
  }

  /**
   * iCure's authenticateAndAskAccessToItsExistingData, the invited patient's first login: registers an
   * RSA-OAEP public key (the provider's, or a new 2048-bit one made with WebCrypto), uses up the token from
   * the invitation message, and asks every practitioner holding the patient's data to share it.
   */
  async authenticateAndAskAccessToItsExistingData(
    login: string,
    token: string,
    keyPairProvider?: KeyPairProvider,
  ): Promise<AuthenticationResult> {
    const keyPair = (await keyPairProvider?.()) ?? (await this.crypto.RSA.generateKeyPairHex());
    try {
      await this.crypto.RSA.importPublicKey(keyPair.publicKey);
    } catch {
      throw new TypeError('The key pair provider returned a public key that is not a hex-encoded SPKI RSA-OAEP key');
    }
    const activation = await this.anonymous.post('/api/v1/auth/activate', { body: { login, token, publicKey: keyPair.publicKey } });
    const { longLivedToken, user } = activation;
    return { api: this.startSession({ login, password: longLivedToken }, activation), longLivedToken, user, keyPair };
  }
}

import { AuthenticationApi, type StartSession } from './apis/authentication-api.js';
import { AnonymousInvitationApi, InvitationApi } from './apis/invitation-api.js';
import { IdentityProviderApi } from './apis/identity-provider-api.js';
import { DataSampleApi, HealthcareElementApi } from './apis/medical-record-apis.js';
import { NotificationApi } from './apis/notification-api.js';
import { PatientApi } from './apis/patient-api.js';
import { PractitionerApi } from './apis/practitioner-api.js';
import { UserApi } from './apis/user-api.js';
import { CryptoApi } from './crypto.js';
import { type Fetch, HttpClient } from './http.js';
import { type Credentials, Session, type SessionTokens } from './session.js';

export interface CareidApiOptions {
  /** Where the API is served, e.g. `https://id.example.org` (the SDK adds `/api/v1/...`). */
  baseUrl: string;
  /** A fetch implementation; default `globalThis.fetch`. */
  fetch?: Fetch;
}

/** Logged in with a login and password (or token), or with the tokens of an existing session. */
export type CareidApiInit = CareidApiOptions & (Credentials | { tokens: SessionTokens; login?: string; password?: string; totp?: string });

function anonymousClient(options: CareidApiOptions): HttpClient {
  return new HttpClient(options.baseUrl, options.fetch ?? ((input, init) => globalThis.fetch(input, init)));
}

function sessionStarter(options: CareidApiOptions): StartSession {
  return (credentials, tokens) => new CareidApi({ baseUrl: options.baseUrl, fetch: options.fetch, tokens, ...credentials });
}

/**
 * The Careid API for a logged-in user. It logs in on the first call and refreshes
 * its access token transparently.
 */
export class CareidApi {
  readonly userApi: UserApi;
  readonly patientApi: PatientApi;
  readonly practitionerApi: PractitionerApi;
  readonly dataSampleApi: DataSampleApi;
  readonly healthcareElementApi: HealthcareElementApi;
  readonly notificationApi: NotificationApi;
  readonly invitationApi: InvitationApi;
  readonly identityProviderApi: IdentityProviderApi;
  readonly cryptoApi = new CryptoApi();
  private readonly session: Session;

  constructor(options: CareidApiInit) {
    const anonymous = anonymousClient(options);
    const { login, password, totp } = options;
    const credentials = login !== undefined && password !== undefined ? { login, password, totp } : undefined;
    this.session = new Session(anonymous, credentials, 'tokens' in options ? options.tokens : undefined);
    const http = anonymous.withSession(this.session);
    this.userApi = new UserApi(http);
    this.patientApi = new PatientApi(http);
    this.practitionerApi = new PractitionerApi(http);
    this.dataSampleApi = new DataSampleApi(http);
    this.healthcareElementApi = new HealthcareElementApi(http);
    this.notificationApi = new NotificationApi(http);
    this.invitationApi = new InvitationApi(http, anonymous, sessionStarter(options));
    this.identityProviderApi = new IdentityProviderApi(http);
  }

  /**
   * An api on the tokens of an existing session (e.g. kept by a web app). With `login` and
   * `password` too, it logs in again when the refresh token is no longer accepted.
   */
  static withToken(options: CareidApiOptions & SessionTokens & Partial<Credentials>): CareidApi {
    const { baseUrl, fetch, accessToken, refreshToken, expiresIn, ...credentials } = options;
    return new CareidApi({ baseUrl, fetch, tokens: { accessToken, refreshToken, expiresIn }, ...credentials });
  }

  /** Ends the session on the server. */
  logout(): Promise<void> {
    return this.session.logout();
  }
}

/** The calls that need no login: first login of an invited patient, accepting an invitation, logging in (also through an identity provider). */
export class AnonymousCareidApi {
  readonly authenticationApi: AuthenticationApi;
  readonly invitationApi: AnonymousInvitationApi;
  readonly cryptoApi = new CryptoApi();

  constructor(options: CareidApiOptions) {
    const anonymous = anonymousClient(options);
    this.authenticationApi = new AuthenticationApi(anonymous, this.cryptoApi, sessionStarter(options));
    this.invitationApi = new AnonymousInvitationApi(anonymous, sessionStarter(options));
  }
}

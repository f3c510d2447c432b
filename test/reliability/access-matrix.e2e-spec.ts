import { randomUUID } from 'node:crypto';
import { authenticator } from 'otplib';
import { RouteAccessCheck } from '@careid/identity';
import { createPatient as createPatientWithContact } from '../support/care';
import { figures } from '../support/figures';
import { HttpClient } from '../support/http';
import { TestIdentityProvider } from '../support/identity-provider';
import { publicKeyHex } from '../support/keys';
import { linkIn, TestMailServer } from '../support/mail-server';
import { documentedRoutes, servedRoutes } from '../support/routes';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { Actor, ACTORS, MATRIX as PATIENTS_MATRIX, statuses } from '../patients/access-matrix.rows';
import { createPatient, patientUser, practitionerUser, registeringPatientUser } from '../patients/fixtures';

/**
 * Who gets which status on every route the server answers that the patients
 * matrix (test/patients/access-matrix.rows.ts) does not own: users, auth,
 * audit, invitations, notifications, health, metrics, and the pages and
 * Swagger UI outside the OpenAPI document. Together the two tables hold exactly one row
 * per route; a route without a row, or a row without a route, fails.
 *
 * The target of a user route is the patient's own user (so `patientUserOwn`
 * is its owner); of a notification route, the access request the patient's
 * activation sent to `practitionerWithDelegation`.
 */
const PASSWORD = 'correct horse battery staple'; // createUser's default
const NEW_PASSWORD = 'a brand new passphrase';
const MATRIX_APPLICATION = { name: 'Matrix app', type: 'confidential', redirectUris: ['https://app.example/cb'] };
const ticketOf = (link: string) => new URL(link).hash.replace('#ticket=', '');
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

interface Fixtures {
  t: TestApp;
  http: HttpClient;
  admin: HttpClient;
  plain: HttpClient;
  otherPatient: HttpClient;
  withDelegation: Awaited<ReturnType<typeof practitionerUser>>;
  without: Awaited<ReturnType<typeof practitionerUser>>;
  mail: TestMailServer;
  publicKey: string;
  /** An OpenID provider on loopback, configured as `provider`. */
  idp: TestIdentityProvider;
  provider: string;
}

/** Who calls: its session and the password it logs in with. */
interface Caller {
  client: HttpClient;
  password: string;
}

/** The world one cell runs against, built lazily: a patient P of practitionerWithDelegation and P's user. */
class World {
  private cache = new Map<string, Promise<any>>();
  constructor(private readonly f: Fixtures) {}

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key)!;
  }
  patient(): Promise<any> {
    return this.once('patient', () => createPatient(this.f.withDelegation.session));
  }
  /** A confidential application (its secret may be rotated by any cell). */
  application(): Promise<any> {
    return this.once(
      'application',
      async () => expectStatus(await this.f.admin.post('/api/v1/applications', MATRIX_APPLICATION), 201).body,
    );
  }
  /** P's user (patientUserOwn): `{ user, session }`. */
  patientUser() {
    return this.once('patientUser', async () => patientUser(this.f.http, this.f.admin, (await this.patient()).id));
  }
  /** A login token of P's user, made by an admin: `{ token, key }`. */
  token(): Promise<{ token: string; key: string }> {
    return this.once('token', async () => {
      const { user } = await this.patientUser();
      return expectStatus(await this.f.admin.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 600 }), 201).body;
    });
  }
  /** Q, another patient of practitionerWithDelegation, with an invited (REGISTERING) user and its activation token. */
  invitedPatient(): Promise<{ patient: any; user: any; token: string }> {
    return this.once('invitedPatient', async () => {
      const patient = await createPatient(this.f.withDelegation.session);
      return { patient, ...(await registeringPatientUser(this.f.admin, patient.id)) };
    });
  }
  /** Q's first login with its token: it sends practitionerWithDelegation an access request. */
  notification(): Promise<any> {
    return this.once('notification', async () => {
      const { patient, user, token } = await this.invitedPatient();
      expectStatus(await this.f.http.post('/api/v1/auth/activate', { login: user.login, token, publicKey: this.f.publicKey }), 200);
      const listed = await this.f.withDelegation.session.get(`/api/v1/notifications?responsible=${patient.id}`);
      expect(listed.body.rows).toHaveLength(1);
      return listed.body.rows[0];
    });
  }
  /** A fresh session of P's user, whose refresh token a cell may use up. */
  refreshToken(): Promise<string> {
    return this.once('refresh', async () => {
      const { user } = await this.patientUser();
      return (await loginAs(this.f.http, user.login, PASSWORD)).tokens.refreshToken;
    });
  }
  /** A reset ticket for P's user, from the mail it receives. */
  resetTicket(): Promise<string> {
    return this.once('reset', async () => {
      const { user } = await this.patientUser();
      expectStatus(await this.f.http.post('/api/v1/auth/password-reset', { email: user.email }), 202);
      const [message] = await this.f.mail.waitFor(user.email);
      return ticketOf(linkIn(message.text, '/password-reset'));
    });
  }
  /** A bulk invitation job of practitionerWithDelegation (inviting P). */
  job(): Promise<any> {
    return this.once('job', async () => {
      const started = await this.f.withDelegation.session.post('/api/v1/patients/invite', { patientIds: [(await this.patient()).id] });
      return expectStatus(started, 202).body;
    });
  }
  /** A pending profile invitation (with its ticket in `invitationUrl`). */
  invitation(): Promise<any> {
    return this.once('invitation', async () => {
      const created = await this.f.admin.post('/api/v1/invitations', {
        email: `${unique('invitee')}@clinic.example`,
        firstName: 'Toinette',
        resource: { resourceType: 'Practitioner' },
      });
      return expectStatus(created, 201).body;
    });
  }
  /** An identity provider of this world's own (a cell may change or delete it). */
  identityProvider(): Promise<any> {
    return this.once('identityProvider', async () => {
      const created = await this.f.admin.post('/api/v1/identity-providers', {
        alias: unique('idp'),
        issuer: this.f.idp.issuer,
        clientId: this.f.idp.clientId,
      });
      return expectStatus(created, 201).body;
    });
  }
  /** An ID token of P's user at the shared provider (its verified email). */
  async idToken(): Promise<string> {
    const { user } = await this.patientUser();
    return this.f.idp.idToken({ sub: `sub-${user.id}`, email: user.email, email_verified: true });
  }
  /** P's user signed in once through the shared provider: its account there is linked. */
  linkedIdentity(): Promise<void> {
    return this.once('linkedIdentity', async () => {
      const exchange = { provider: this.f.provider, subjectToken: await this.idToken(), subjectTokenType: ID_TOKEN_TYPE };
      expectStatus(await this.f.http.post('/api/v1/auth/token-exchange', exchange), 200);
    });
  }
  async current(path: string): Promise<any> {
    return (await this.f.admin.get(path)).body;
  }
}

function expectStatus<T extends { status: number; text: string }>(response: T, status: number): T {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status} ${response.text}`);
  return response;
}

interface Row {
  request(world: World, f: Fixtures, caller: Caller): Promise<{ path: string; body?: unknown }>;
  expected: Record<Actor, number>;
  /** Routes about the caller itself (`/users/current/...`) change it: each cell gets callers of its own. */
  freshCallers?: boolean;
  /** An endless Server-Sent Events answer: check its status and content type, then hang up. */
  stream?: boolean;
}

const page = (path: string): Row => ({ request: async () => ({ path }), expected: statuses(200, 200, 200, 200, 200, 200, 200) });
/** An admin's invitation: practitioners manage only the patient invitations they sent (404 for any other). */
const notPractitionersOwn = (request: Row['request']): Row => ({ request, expected: statuses(401, 403, 403, 403, 404, 404, 200) });
const adminOnly = (success: number, request: Row['request']): Row => ({
  request,
  expected: statuses(401, 403, 403, 403, 403, 403, success),
});
const everyone = (success: number, request: Row['request']): Row => ({
  request,
  expected: statuses(success, success, success, success, success, success, success),
});
const signedIn = (success: number, request: Row['request'], extra: Partial<Row> = {}): Row => ({
  request,
  expected: statuses(401, success, success, success, success, success, success),
  ...extra,
});
/** The caller's own user (patientUserOwn) and admins; anyone else: `others`. */
const ownerOrAdmin = (success: number, others: number, request: Row['request']): Row => ({
  request,
  expected: statuses(401, others, success, others, others, others, success),
});
const recipientOrAdmin = (success: number, request: Row['request']): Row => ({
  request,
  expected: statuses(401, 404, 404, 404, success, 404, success),
});
const userPath = async (w: World, suffix = '') => `/api/v1/users/${(await w.patientUser()).user.id}${suffix}`;

/** Starts TOTP enrolment as the caller; null when the caller may not. */
async function totpSecret(caller: Caller): Promise<string | null> {
  const setup = await caller.client.post('/api/v1/users/current/2fa/setup', { currentPassword: caller.password });
  return setup.status === 201 ? setup.body.secret : null;
}

const MATRIX: Record<string, Row> = {
  // --- users ---
  'POST /api/v1/users': adminOnly(201, async () => {
    const login = unique('matrix');
    return { path: '/api/v1/users', body: { login, email: `${login}@hospital.care`, passwordHash: PASSWORD } };
  }),
  'GET /api/v1/users': adminOnly(200, async () => ({ path: '/api/v1/users?limit=5' })),
  'GET /api/v1/users/count': adminOnly(200, async () => ({ path: '/api/v1/users/count' })),
  'GET /api/v1/users/current': signedIn(200, async () => ({ path: '/api/v1/users/current' })),
  'GET /api/v1/users/by-email/{email}': ownerOrAdmin(200, 404, async (w) => ({
    path: `/api/v1/users/by-email/${encodeURIComponent((await w.patientUser()).user.email)}`,
  })),
  'GET /api/v1/users/{id}': ownerOrAdmin(200, 404, async (w) => ({ path: await userPath(w) })),
  'PUT /api/v1/users/{id}': ownerOrAdmin(200, 404, async (w) => {
    const path = await userPath(w);
    return { path, body: { ...(await w.current(path)), name: unique('Renamed') } };
  }),
  'DELETE /api/v1/users/{id}': adminOnly(200, async (w) => ({ path: await userPath(w) })),
  // The contract: users create tokens for themselves, only admins for others (else 403).
  'POST /api/v1/users/{id}/tokens': ownerOrAdmin(201, 403, async (w) => ({
    path: await userPath(w, '/tokens'),
    body: { validitySeconds: 60 },
  })),
  'GET /api/v1/users/{id}/tokens': ownerOrAdmin(200, 403, async (w) => ({ path: await userPath(w, '/tokens') })),
  'DELETE /api/v1/users/{id}/tokens/{key}': ownerOrAdmin(204, 403, async (w) => ({
    path: await userPath(w, `/tokens/${(await w.token()).key}`),
  })),
  'DELETE /api/v1/users/{id}/lockout': adminOnly(204, async (w) => ({ path: await userPath(w, '/lockout') })),
  'POST /api/v1/users/current/2fa/setup': signedIn(
    201,
    async (_w, _f, caller) => ({ path: '/api/v1/users/current/2fa/setup', body: { currentPassword: caller.password } }),
    { freshCallers: true },
  ),
  'POST /api/v1/users/current/2fa/enable': signedIn(
    204,
    async (_w, _f, caller) => {
      const secret = await totpSecret(caller);
      return { path: '/api/v1/users/current/2fa/enable', body: { code: secret ? authenticator.generate(secret) : '000000' } };
    },
    { freshCallers: true },
  ),
  'POST /api/v1/users/current/2fa/disable': signedIn(
    204,
    async (_w, _f, caller) => {
      const secret = await totpSecret(caller);
      if (secret) expectStatus(await caller.client.post('/api/v1/users/current/2fa/enable', { code: authenticator.generate(secret) }), 204);
      // The enable step used this time step's code up; the next one is accepted too.
      const code = secret ? authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret) : '000000';
      return { path: '/api/v1/users/current/2fa/disable', body: { code, currentPassword: caller.password } };
    },
    { freshCallers: true },
  ),
  'GET /api/v1/audit-events': adminOnly(200, async () => ({ path: '/api/v1/audit-events?limit=5' })),
  // A user's accounts at identity providers: as its user record, the user itself and admins (404 for the others).
  'GET /api/v1/users/{id}/identities': ownerOrAdmin(200, 404, async (w) => ({ path: await userPath(w, '/identities') })),
  'DELETE /api/v1/users/{id}/identities/{provider}': ownerOrAdmin(204, 404, async (w, f) => {
    await w.linkedIdentity();
    return { path: await userPath(w, `/identities/${f.provider}`) };
  }),

  // --- external identity providers: admins ---
  'POST /api/v1/identity-providers': adminOnly(201, async (_w, f) => ({
    path: '/api/v1/identity-providers',
    body: { alias: unique('idp'), issuer: f.idp.issuer, clientId: f.idp.clientId },
  })),
  'GET /api/v1/identity-providers': adminOnly(200, async () => ({ path: '/api/v1/identity-providers?limit=5' })),
  'GET /api/v1/identity-providers/{alias}': adminOnly(200, async (_w, f) => ({ path: `/api/v1/identity-providers/${f.provider}` })),
  'PUT /api/v1/identity-providers/{alias}': adminOnly(200, async (w) => {
    const provider = await w.identityProvider();
    return { path: `/api/v1/identity-providers/${provider.alias}`, body: { ...provider, allowSignup: true } };
  }),
  'DELETE /api/v1/identity-providers/{alias}': adminOnly(204, async (w) => ({
    path: `/api/v1/identity-providers/${(await w.identityProvider()).alias}`,
  })),

  // --- authentication: public, whoever calls ---
  'POST /api/v1/auth/login': everyone(200, async (w) => ({
    path: '/api/v1/auth/login',
    body: { login: (await w.patientUser()).user.login, password: PASSWORD },
  })),
  'POST /api/v1/auth/token-exchange': everyone(200, async (w, f) => ({
    path: '/api/v1/auth/token-exchange',
    body: { provider: f.provider, subjectToken: await w.idToken(), subjectTokenType: ID_TOKEN_TYPE },
  })),
  'POST /api/v1/auth/refresh': everyone(200, async (w) => ({
    path: '/api/v1/auth/refresh',
    body: { refreshToken: await w.refreshToken() },
  })),
  'POST /api/v1/auth/logout': everyone(204, async (w) => ({ path: '/api/v1/auth/logout', body: { refreshToken: await w.refreshToken() } })),
  'POST /api/v1/auth/activate': everyone(200, async (w, f) => ({
    path: '/api/v1/auth/activate',
    body: { login: (await w.invitedPatient()).user.login, token: (await w.invitedPatient()).token, publicKey: f.publicKey },
  })),
  'POST /api/v1/auth/password-reset': everyone(202, async (w) => ({
    path: '/api/v1/auth/password-reset',
    body: { email: (await w.patientUser()).user.email },
  })),
  'POST /api/v1/auth/password-reset/confirm': everyone(204, async (w) => ({
    path: '/api/v1/auth/password-reset/confirm',
    body: { ticket: await w.resetTicket(), password: NEW_PASSWORD },
  })),

  // --- invitations: admins manage them; the ticket holder inspects and accepts ---
  'POST /api/v1/invitations': adminOnly(201, async () => ({
    path: '/api/v1/invitations',
    body: { email: `${unique('invitee')}@clinic.example`, resource: { resourceType: 'Patient' } },
  })),
  'GET /api/v1/invitations': {
    request: async () => ({ path: '/api/v1/invitations?limit=5' }),
    expected: statuses(401, 403, 403, 403, 200, 200, 200), // a practitioner's list holds only the patient invitations it sent
  },
  'GET /api/v1/invitations/{id}': notPractitionersOwn(async (w) => ({ path: `/api/v1/invitations/${(await w.invitation()).id}` })),
  'POST /api/v1/invitations/{id}/resend': notPractitionersOwn(async (w) => ({
    path: `/api/v1/invitations/${(await w.invitation()).id}/resend`,
  })),
  'DELETE /api/v1/invitations/{id}': notPractitionersOwn(async (w) => ({ path: `/api/v1/invitations/${(await w.invitation()).id}` })),
  'POST /api/v1/invitations/inspect': everyone(200, async (w) => ({
    path: '/api/v1/invitations/inspect',
    body: { ticket: ticketOf((await w.invitation()).invitationUrl) },
  })),
  'POST /api/v1/invitations/accept': everyone(200, async (w) => ({
    path: '/api/v1/invitations/accept',
    body: { ticket: ticketOf((await w.invitation()).invitationUrl), password: NEW_PASSWORD },
  })),

  // --- bulk invitation jobs: a practitioner's own (404 for another's), an admin's all; no one else's role invites ---
  'GET /api/v1/invitation-jobs': {
    request: async () => ({ path: '/api/v1/invitation-jobs?limit=5' }),
    expected: statuses(401, 403, 403, 403, 200, 200, 200),
  },
  'GET /api/v1/invitation-jobs/{id}': {
    request: async (w) => ({ path: `/api/v1/invitation-jobs/${(await w.job()).id}` }),
    expected: statuses(401, 403, 403, 403, 200, 404, 200),
  },

  // --- applications (OAuth clients): admins only; each mutating cell gets an application of its own ---
  'POST /api/v1/applications': adminOnly(201, async () => ({ path: '/api/v1/applications', body: MATRIX_APPLICATION })),
  'GET /api/v1/applications': adminOnly(200, async () => ({ path: '/api/v1/applications?limit=5' })),
  'GET /api/v1/applications/{id}': adminOnly(200, async (w) => ({ path: `/api/v1/applications/${(await w.application()).id}` })),
  'PUT /api/v1/applications/{id}': adminOnly(200, async (w, f) => {
    const application = (await f.admin.post('/api/v1/applications', MATRIX_APPLICATION)).body;
    return { path: `/api/v1/applications/${application.id}`, body: { ...application, name: 'Renamed' } };
  }),
  'POST /api/v1/applications/{id}/client-secret': adminOnly(200, async (w) => ({
    path: `/api/v1/applications/${(await w.application()).id}/client-secret`,
  })),
  'DELETE /api/v1/applications/{id}': adminOnly(200, async (w, f) => ({
    path: `/api/v1/applications/${(await f.admin.post('/api/v1/applications', MATRIX_APPLICATION)).body.id}`,
  })),

  // --- notifications: the caller's own; a list never shows others' (whom it shows: the test after the matrix) ---
  // By id, an admin may still read and move any notification (the notifications contract: "only the recipient (or an admin)").
  'GET /api/v1/notifications': signedIn(200, async () => ({ path: '/api/v1/notifications?limit=5' })),
  'GET /api/v1/notifications/stream': signedIn(200, async () => ({ path: '/api/v1/notifications/stream' }), { stream: true }),
  // A one-time ticket that opens the caller's own stream (test/notifications/stream-ticket.e2e-spec.ts: what it opens).
  'POST /api/v1/notifications/stream-ticket': signedIn(201, async () => ({ path: '/api/v1/notifications/stream-ticket' })),
  'GET /api/v1/notifications/{id}': recipientOrAdmin(200, async (w) => ({ path: `/api/v1/notifications/${(await w.notification()).id}` })),
  'PUT /api/v1/notifications/{id}/status': recipientOrAdmin(200, async (w) => ({
    path: `/api/v1/notifications/${(await w.notification()).id}/status`,
    body: { status: 'ongoing' },
  })),

  // --- the OpenID provider (its own protocol errors; no Careid session opens anything) and its sign-in page: public ---
  'GET /.well-known/openid-configuration': page('/.well-known/openid-configuration'),
  'GET /oidc/jwks': page('/oidc/jwks'),
  'GET /oidc/auth': everyone(400, async () => ({ path: '/oidc/auth' })),
  'POST /oidc/auth': everyone(400, async () => ({ path: '/oidc/auth' })),
  'GET /oidc/auth/{uid}': everyone(400, async () => ({ path: '/oidc/auth/no-such-interaction' })),
  'POST /oidc/token': everyone(400, async () => ({ path: '/oidc/token' })),
  // Careid's own access tokens are not the provider's: userinfo refuses every caller here (400 without any token).
  'GET /oidc/me': { request: async () => ({ path: '/oidc/me' }), expected: statuses(400, 401, 401, 401, 401, 401, 401) },
  'POST /oidc/me': { request: async () => ({ path: '/oidc/me' }), expected: statuses(400, 401, 401, 401, 401, 401, 401) },
  'GET /oidc/session/end': page('/oidc/session/end'),
  'POST /oidc/session/end': everyone(200, async () => ({ path: '/oidc/session/end' })),
  'POST /oidc/session/end/confirm': everyone(400, async () => ({ path: '/oidc/session/end/confirm' })),
  'GET /oidc/session/end/success': page('/oidc/session/end/success'),
  'POST /oidc/token/revocation': everyone(400, async () => ({ path: '/oidc/token/revocation' })),
  'GET /oidc/interaction/{uid}': everyone(400, async () => ({ path: '/oidc/interaction/no-such-interaction' })),
  'POST /oidc/interaction/{uid}': everyone(400, async () => ({ path: '/oidc/interaction/no-such-interaction' })),
  'GET /oidc/interaction/{uid}/federation/{alias}': everyone(400, async () => ({
    path: '/oidc/interaction/no-such-interaction/federation/acme',
  })),
  'GET /oidc/interaction/{uid}/callback': everyone(400, async () => ({
    path: '/oidc/interaction/no-such-interaction/callback?code=c&state=s',
  })),
  // Sends the browser on to the interaction the state names, which then needs that browser's cookie (followed here: 400).
  'GET /oidc/federation/callback': everyone(400, async () => ({ path: '/oidc/federation/callback?code=c&state=no-such-interaction.s' })),
  'GET /oidc/assets/sign-in.css': page('/oidc/assets/sign-in.css'),

  // --- health, pages and documentation: public ---
  'GET /health/live': page('/health/live'),
  'GET /health/ready': page('/health/ready'),
  // For the Prometheus scraper, which sends METRICS_TOKEN: no user's access token opens it, an admin's included.
  'GET /metrics': everyone(401, async () => ({ path: '/metrics' })),
  'GET /invitations/accept': page('/invitations/accept'),
  'GET /password-reset': page('/password-reset'),
  'GET /invitations/assets/{file}': page('/invitations/assets/set-password.js'),
  'GET /api/docs': page('/api/docs'),
  'GET /api/docs/': page('/api/docs/'),
  'GET /api/docs/index.html': page('/api/docs/index.html'),
  'GET /api/docs/swagger-ui-init.js': page('/api/docs/swagger-ui-init.js'),
  'GET /api/docs/docs/swagger-ui-init.js': page('/api/docs/docs/swagger-ui-init.js'),
  // Swagger UI registers the route, but its package ships no such file: a plain 404 for everyone.
  'GET /api/docs/LICENSE': everyone(404, async () => ({ path: '/api/docs/LICENSE' })),
  'GET /api/docs/*': page('/api/docs/swagger-ui.css'),
  'GET /api/docs-json': page('/api/docs-json'),
  'GET /api/docs-yaml': page('/api/docs-yaml'),
};

/** What every answer carries (helmet), pages, errors and event streams included. */
function headerProblems(route: string, actor: Actor, headers: Headers): string[] {
  const problems: string[] = [];
  const expectHeader = (name: string, test: (value: string) => boolean) => {
    const value = headers.get(name);
    if (value === null || !test(value)) problems.push(`${route} as ${actor}: ${name} = ${value}`);
  };
  expectHeader('x-content-type-options', (v) => v === 'nosniff');
  expectHeader('x-frame-options', (v) => v === 'SAMEORIGIN');
  expectHeader('strict-transport-security', (v) => v.includes('max-age='));
  expectHeader('content-security-policy', (v) => v.includes("frame-ancestors 'none'"));
  expectHeader('referrer-policy', (v) => v === 'no-referrer');
  if (headers.get('x-powered-by') !== null) problems.push(`${route} as ${actor}: x-powered-by is sent`);
  return problems;
}

describe('Access matrix: every other route, pages included', () => {
  const mail = new TestMailServer();
  const idp = new TestIdentityProvider();
  let t: TestApp;
  let f: Fixtures;
  let cells = 0;
  const unexpected: string[] = [];

  beforeAll(async () => {
    await mail.start();
    await idp.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url, METRICS_TOKEN: 'metrics-token-of-the-access-matrix' } });
    const admin = await loginAsAdmin(t.http);
    const provider = await admin.post('/api/v1/identity-providers', { alias: unique('idp'), issuer: idp.issuer, clientId: idp.clientId });
    const [withDelegation, without, plainUser] = await Promise.all([
      practitionerUser(t.http, admin),
      practitionerUser(t.http, admin),
      createUser(admin),
    ]);
    const otherPatient = await createPatient(without.session);
    f = {
      t,
      http: t.http,
      admin,
      plain: await loginAs(t.http, plainUser.login, plainUser.password),
      otherPatient: (await patientUser(t.http, admin, otherPatient.id)).session,
      withDelegation,
      without,
      mail,
      publicKey: publicKeyHex(),
      idp,
      provider: expectStatus(provider, 201).body.alias,
    };
  });
  afterAll(async () => {
    figures.record(
      'access',
      'access matrix (users, auth, audit, invitations, applications, OpenID provider, notifications, health, pages)',
      {
        routes: Object.keys(MATRIX).length,
        actors: ACTORS.length,
        cells,
        unexpected: unexpected.length,
      },
    );
    await t.close();
    await mail.stop();
    await idp.stop();
  });

  it('has, with the patients matrix, exactly one row for every route the server answers, documented or not', async () => {
    const documented = await documentedRoutes(t);
    const served = servedRoutes(t);
    const rows = [...Object.keys(PATIENTS_MATRIX), ...Object.keys(MATRIX)];
    expect(documented.length).toBeGreaterThan(50);
    expect(documented.filter((route) => !rows.includes(route))).toEqual([]);
    expect(served.filter((route) => !rows.includes(route))).toEqual([]);
    expect(rows.filter((route) => !served.includes(route))).toEqual([]);
    expect(Object.keys(MATRIX).filter((route) => route in PATIENTS_MATRIX)).toEqual([]);
    // The pages outside the document are in the served table: the check above is not the document's alone.
    expect(served).toEqual(expect.arrayContaining(['GET /invitations/accept', 'GET /password-reset']));
  });

  it('declares, on every route the controllers serve, its resource and action, @SelfOnly() or @Public(); each has a row', () => {
    const declared = t.app.get(RouteAccessCheck).routes();
    const rows = [...Object.keys(PATIENTS_MATRIX), ...Object.keys(MATRIX)];
    expect(declared.length).toBeGreaterThan(50);
    expect(declared.filter((route) => route.access === null)).toEqual([]);
    expect(declared.map((route) => route.route).filter((route) => !rows.includes(route))).toEqual([]);
  });

  /** Generated from the routes' declarations: a new route that names a resource is checked here without a line of test. */
  it('refuses every route that names a resource to a caller whose access policy denies that resource (403), admins included', async () => {
    const guarded = t.app
      .get(RouteAccessCheck)
      .routes()
      .filter((route) => route.access !== null && route.access.includes(':'));
    const resources = [...new Set(guarded.map((route) => route.access!.split(':')[0]))];
    expect(resources).toEqual(expect.arrayContaining(['User', 'Patient', 'Practitioner', 'DataSample', 'HealthcareElement']));
    const deniedTo: Record<string, HttpClient> = {};
    for (const resource of resources) {
      const { login } = await createUser(f.admin, {
        roles: ['ADMIN'],
        accessPolicy: {
          rule: [
            { resource: '*', action: '*', effect: 'Allow' },
            { resource, action: '*', effect: 'Deny' },
          ],
        },
      });
      deniedTo[resource] = await loginAs(t.http, login, PASSWORD);
    }
    const answers: string[] = [];
    for (const { route, access } of guarded) {
      const [method, template] = route.split(' ');
      const path = template
        .replace('{email}', 'nobody@hospital.care')
        .replace('{file}', 'x.js')
        .replace(/\{[a-z]+\}/gi, () => randomUUID());
      const response = await deniedTo[access!.split(':')[0]].request(
        method,
        path,
        method === 'GET' || method === 'DELETE' ? undefined : {},
      );
      answers.push(`${route} (${access}): ${response.status} ${response.body?.code ?? ''}`.trim());
    }
    expect(answers).toEqual(guarded.map(({ route, access }) => `${route} (${access}): 403 FORBIDDEN`));
  });

  it('refuses, under a policy denying Patient and User, to invite a patient or mint a token, even its own: no user, no message', async () => {
    const practitioner = await practitionerUser(t.http, f.admin, {
      accessPolicy: {
        rule: [
          { resource: '*', action: '*', effect: 'Allow' },
          { resource: ['Patient', 'User'], action: '*', effect: 'Deny' },
        ],
      },
    });
    const email = `${unique('denied')}@clinic.example`;
    const patient = await createPatientWithContact(f.withDelegation.session, { email });
    expectStatus(
      await f.withDelegation.session.post(`/api/v1/patients/${patient.id}/delegations`, { dataOwnerId: practitioner.practitioner.id }),
      200,
    );
    const invite = await practitioner.session.post(`/api/v1/patients/${patient.id}/invite`, {});
    expect([invite.status, invite.body.code]).toEqual([403, 'FORBIDDEN']);
    const own = await practitioner.session.post(`/api/v1/users/${practitioner.user.id}/tokens`, { validitySeconds: 60 });
    expect([own.status, own.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await f.admin.get(`/api/v1/users/${practitioner.user.id}/tokens`)).body.rows).toEqual([]);
    expect((await f.admin.get(`/api/v1/users/count?q=${encodeURIComponent(email)}`)).body.count).toBe(0);
    // Without the policy, a practitioner mints its own token.
    const allowed = await practitionerUser(t.http, f.admin);
    expectStatus(await allowed.session.post(`/api/v1/users/${allowed.user.id}/tokens`, { validitySeconds: 60 }), 201);
    await mail.waitFor(email, 1, 1500).then(
      () => {
        throw new Error(`a message reached ${email}`);
      },
      () => undefined,
    );
  });

  it('answers HEAD on every GET route as it answers GET: the guards hold for both', async () => {
    const concrete = (route: string) =>
      route
        .replace(/^GET /, '')
        .replace('{file}', 'set-password.js')
        .replace('{email}', 'nobody@hospital.care')
        .replace(/\{[a-z]+\}/gi, '00000000-0000-4000-8000-000000000000')
        .replace(/\*$/, 'swagger-ui.css');
    const differences: string[] = [];
    for (const route of servedRoutes(t).filter((r) => r.startsWith('GET '))) {
      for (const [who, client] of [
        ['anonymous', t.http],
        ['plainUser', f.plain],
      ] as const) {
        if (route.endsWith('/stream') && who !== 'anonymous') continue; // an endless answer either way
        const path = concrete(route);
        const [head, get] = [await client.request('HEAD', path), await client.request('GET', path)];
        if (head.status !== get.status) differences.push(`${route} as ${who}: HEAD ${head.status}, GET ${get.status}`);
        if (who === 'anonymous' && path.startsWith('/api/v1/') && get.status !== 401)
          differences.push(`${route} as anonymous: ${get.status}`);
        cells += 1;
      }
    }
    expect(differences).toEqual([]);
  });

  /** A session for the actor: the shared one, or (for routes about the caller itself) a new user of the same kind. */
  async function callerFor(actor: Actor, world: World, fresh: boolean): Promise<Caller> {
    if (actor === 'anonymous') return { client: t.http, password: '' };
    if (actor === 'patientUserOwn') return { client: (await world.patientUser()).session, password: PASSWORD };
    if (!fresh) {
      const shared: Record<Exclude<Actor, 'anonymous' | 'patientUserOwn'>, Caller> = {
        plainUser: { client: f.plain, password: PASSWORD },
        patientUserOther: { client: f.otherPatient, password: PASSWORD },
        practitionerWithDelegation: { client: f.withDelegation.session, password: PASSWORD },
        practitionerWithout: { client: f.without.session, password: PASSWORD },
        admin: { client: f.admin, password: TEST_ADMIN.password },
      };
      return shared[actor];
    }
    switch (actor) {
      case 'plainUser':
      case 'admin': {
        const { login } = await createUser(f.admin, actor === 'admin' ? { roles: ['ADMIN'] } : {});
        return { client: await loginAs(t.http, login, PASSWORD), password: PASSWORD };
      }
      case 'patientUserOther':
        return { client: (await patientUser(t.http, f.admin, (await createPatient(f.without.session)).id)).session, password: PASSWORD };
      case 'practitionerWithDelegation':
      case 'practitionerWithout':
        return { client: (await practitionerUser(t.http, f.admin)).session, password: PASSWORD };
    }
  }

  /** Opens the stream, reads the status line and headers, and hangs up. */
  async function openStream(client: HttpClient, path: string): Promise<{ status: number; headers: Headers }> {
    const controller = new AbortController();
    const token = client.defaultToken;
    const response = await fetch(t.baseUrl + path, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: controller.signal,
    });
    controller.abort();
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, headers: response.headers };
  }

  it("lists the access request to its recipient only: an admin's role widens nothing", async () => {
    const world = new World(f);
    const notification = await world.notification();
    const listed: Record<string, number> = {};
    for (const actor of ACTORS.filter((a) => a !== 'anonymous')) {
      const { client } = await callerFor(actor, world, false);
      const response = expectStatus(await client.get(`/api/v1/notifications?responsible=${notification.responsible}`), 200);
      listed[actor] = response.body.rows.filter((n: { id: string }) => n.id === notification.id).length;
    }
    expect(listed).toEqual({
      plainUser: 0,
      patientUserOwn: 0,
      patientUserOther: 0,
      practitionerWithDelegation: 1,
      practitionerWithout: 0,
      admin: 0,
    });
  });

  it.each(Object.keys(MATRIX))('%s', async (route) => {
    const [method] = route.split(' ');
    const row = MATRIX[route];
    // A read changes nothing, so its cells share one world; any other call gets a fresh world per cell.
    const shared = method === 'GET' ? new World(f) : undefined;
    const problems: string[] = [];
    const cell = async (actor: Actor) => {
      const world = shared ?? new World(f);
      const caller = await callerFor(actor, world, row.freshCallers ?? false);
      const { path, body } = await row.request(world, f, caller);
      const response = row.stream ? await openStream(caller.client, path) : await caller.client.request(method, path, body);
      if (row.stream && response.status === 200 && !response.headers.get('content-type')?.startsWith('text/event-stream'))
        problems.push(`${route} as ${actor}: content-type ${response.headers.get('content-type')}`);
      problems.push(...headerProblems(route, actor, response.headers));
      return [actor, response.status] as const;
    };
    const actual = Object.fromEntries(await Promise.all(ACTORS.map(cell)));
    cells += ACTORS.length;
    for (const actor of ACTORS) if (actual[actor] !== row.expected[actor]) unexpected.push(`${route} as ${actor}: ${actual[actor]}`);
    expect(actual).toEqual(row.expected);
    expect(problems).toEqual([]);
  });
});

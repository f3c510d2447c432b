import { AnonymousCareidApi, CareidApi, CareidApiError, User, type Fetch } from '@careid/sdk';
import { TEST_ADMIN, startTestApp, TestApp } from '../support/test-app';
import { unique } from '../support/session';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fetch that records `METHOD /path status` and the request id of each answer. */
function recordingFetch() {
  const calls: string[] = [];
  const requestIds: string[] = [];
  const record: Fetch = async (url, init) => {
    const response = await fetch(url, init);
    calls.push(`${init.method} ${new URL(url).pathname} ${response.status}`);
    requestIds.push(response.headers.get('x-request-id') ?? '');
    return response;
  };
  return { calls, requestIds, fetch: record };
}

describe('SDK sessions and errors', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    // Access tokens live 4 s here, so expiry happens within a test.
    t = await startTestApp({ env: { ACCESS_TOKEN_SECONDS: '4', LOCKOUT_MAX_FAILURES: '2' } });
    baseUrl = t.baseUrl;
  });
  afterAll(() => t.close());

  async function freshTokens() {
    const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(TEST_ADMIN),
    });
    return (await response.json()) as { accessToken: string; refreshToken: string; expiresIn: number };
  }

  it('logs in on the first call and refreshes ahead of the access token expiry', async () => {
    const { calls, fetch } = recordingFetch();
    const api = new CareidApi({ baseUrl, ...TEST_ADMIN, fetch });
    await api.userApi.getLogged();
    await sleep(2100); // past half of the 4 s lifetime: time to renew
    await api.userApi.getLogged();
    expect(calls).toEqual([
      'POST /api/v1/auth/login 200',
      'GET /api/v1/users/current 200',
      'POST /api/v1/auth/refresh 200',
      'GET /api/v1/users/current 200',
    ]);
  });

  it('on 401 ACCESS_TOKEN_EXPIRED, refreshes once however many calls saw it, and retries each', async () => {
    const { calls, fetch } = recordingFetch();
    // Told the token lives an hour, the session cannot see the expiry coming: the server has to say it.
    const api = CareidApi.withToken({ baseUrl, fetch, ...(await freshTokens()), expiresIn: 3600 });
    await sleep(4100);
    const users = await Promise.all(Array.from({ length: 5 }, () => api.userApi.getLogged()));
    expect(users.every((user) => user.login === TEST_ADMIN.login)).toBe(true);
    expect(calls.filter((call) => call === 'GET /api/v1/users/current 401')).toHaveLength(5);
    expect(calls.filter((call) => call.startsWith('POST /api/v1/auth/refresh'))).toEqual(['POST /api/v1/auth/refresh 200']);
    expect(calls.filter((call) => call === 'GET /api/v1/users/current 200')).toHaveLength(5);
    // Later calls use the new token without another refresh.
    await api.userApi.getLogged();
    expect(calls.filter((call) => call.startsWith('POST /api/v1/auth/refresh'))).toHaveLength(1);
  });

  it("without expiresIn, reads the expiry from the JWT's exp", async () => {
    const { calls, fetch } = recordingFetch();
    const { accessToken, refreshToken } = await freshTokens();
    const api = CareidApi.withToken({ baseUrl, fetch, accessToken, refreshToken });
    await sleep(2100);
    await api.userApi.getLogged();
    expect(calls).toEqual(['POST /api/v1/auth/refresh 200', 'GET /api/v1/users/current 200']);
  });

  it('when the refresh token is refused, logs in again if it knows the password', async () => {
    const { calls, fetch } = recordingFetch();
    const api = CareidApi.withToken({ baseUrl, fetch, accessToken: 'stale', refreshToken: 'refused', expiresIn: 0, ...TEST_ADMIN });
    expect((await api.userApi.getLogged()).login).toBe(TEST_ADMIN.login);
    expect(calls).toEqual(['POST /api/v1/auth/refresh 401', 'POST /api/v1/auth/login 200', 'GET /api/v1/users/current 200']);
  });

  it('when the refresh token is refused and there is no password, the call fails with a CareidApiError 401', async () => {
    const api = CareidApi.withToken({ baseUrl, accessToken: 'stale', refreshToken: 'refused', expiresIn: 0 });
    const failure = api.userApi.getLogged();
    await expect(failure).rejects.toBeInstanceOf(CareidApiError);
    await expect(failure).rejects.toMatchObject({ status: 401 });
  });

  it('logout ends the session on the server; the next call logs in again', async () => {
    const { calls, fetch } = recordingFetch();
    const api = new CareidApi({ baseUrl, ...TEST_ADMIN, fetch });
    await api.userApi.getLogged();
    await api.logout();
    await api.userApi.getLogged();
    expect(calls).toEqual([
      'POST /api/v1/auth/login 200',
      'GET /api/v1/users/current 200',
      'POST /api/v1/auth/logout 204',
      'POST /api/v1/auth/login 200',
      'GET /api/v1/users/current 200',
    ]);
  });

  it('turns problem+json answers into CareidApiError with status, code, detail, requestId and field errors', async () => {
    const { requestIds, fetch } = recordingFetch();
    const api = new CareidApi({ baseUrl, ...TEST_ADMIN, fetch });
    const error = (await api.userApi
      .createOrModify(new User({ login: '', email: 'x'.repeat(300) }))
      .catch((e: unknown) => e)) as CareidApiError;
    expect(error).toBeInstanceOf(CareidApiError);
    expect(error).toMatchObject({
      name: 'CareidApiError',
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: expect.any(String),
      title: 'Bad Request',
      requestId: requestIds[requestIds.length - 1],
    });
    expect(error.errors.map((problem) => problem.field).sort()).toEqual(['email', 'login']);
    expect(error.message).toContain('400 VALIDATION_FAILED');
  });

  it('does not retry a 401 that is not about expiry, and reports a lockout with Retry-After', async () => {
    const login = unique('locked');
    await new CareidApi({ baseUrl, ...TEST_ADMIN }).userApi.createOrModify(new User({ login, passwordHash: 'the right password' }));
    const { calls, fetch } = recordingFetch();
    const anonymous = new AnonymousCareidApi({ baseUrl, fetch });
    await expect(anonymous.authenticationApi.login(login, 'wrong password')).rejects.toMatchObject({ status: 401 });
    await expect(anonymous.authenticationApi.login(login, 'wrong password')).rejects.toMatchObject({ status: 401 });
    const locked = (await anonymous.authenticationApi.login(login, 'the right password').catch((e: unknown) => e)) as CareidApiError;
    expect(locked).toMatchObject({ status: 429, retryAfterSeconds: expect.any(Number) });
    expect(locked.retryAfterSeconds).toBeGreaterThan(0);
    expect(calls).toHaveLength(3);
  });
});

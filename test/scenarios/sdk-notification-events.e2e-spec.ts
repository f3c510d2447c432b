import { CareidApi, type Fetch, type NotificationDto } from '@careid/sdk';
import { createPatient, practitionerUser, registeringPatientUser } from '../patients/fixtures';
import { publicKeyHex } from '../support/keys';
import { loginAs, loginAsAdmin } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery staple'; // createUser's default
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * iCure's flow with a live subscription: the practitioner's app subscribes to notification events through the SDK; a
 * patient's activation sends it an access request. The subscription lives through a dropped connection and through
 * its access token's expiry (the server ends the stream then) without losing or repeating a notification.
 */
describe('SDK: subscribeToNotificationEvents against the real server', () => {
  let t: TestApp;
  const publicKey = publicKeyHex();

  beforeAll(async () => {
    // Access tokens live 3 s here: the server ends the stream at expiry within the test.
    t = await startTestApp({ env: { ACCESS_TOKEN_SECONDS: '3' } });
  });
  afterAll(() => t.close());

  /** A patient of the practitioner whose activation sends the practitioner an access request; the patient's id. */
  async function activatePatientOf(doctor: { user: { login: string } }): Promise<string> {
    // A session of its own each time: access tokens expire within the test.
    const patient = await createPatient(await loginAs(t.http, doctor.user.login, PASSWORD));
    const { user, token } = await registeringPatientUser(await loginAsAdmin(t.http), patient.id);
    expect((await t.http.post('/api/v1/auth/activate', { login: user.login, token, publicKey })).status).toBe(200);
    return patient.id;
  }

  /** The real fetch, with a gate the test can shut to hold reconnections back, and a cut for the open stream's socket. */
  function gatedFetch() {
    let open: Promise<void> = Promise.resolve();
    let release = () => undefined as void;
    let cut = () => undefined as void;
    const streamOpens: (string | undefined)[] = [];
    const gated: Fetch = async (url, init) => {
      if (!url.includes('/notifications/stream')) return fetch(url, init);
      await open;
      streamOpens.push((init.headers as Record<string, string>)['last-event-id']);
      const connection = new AbortController();
      init.signal?.addEventListener('abort', () => connection.abort());
      cut = () => connection.abort(new TypeError('connection lost'));
      return fetch(url, { ...init, signal: connection.signal });
    };
    return {
      fetch: gated,
      streamOpens,
      shut: () => (open = new Promise<void>((resolve) => (release = resolve))),
      release: () => release(),
      cut: () => cut(),
    };
  }

  async function until(condition: () => boolean, timeoutMs = 8000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await sleep(20);
    }
  }

  it("delivers a patient's access request, then resumes after a forced disconnect and a token expiry without loss", async () => {
    const doctor = await practitionerUser(t.http, await loginAsAdmin(t.http));
    const gate = gatedFetch();
    const api = new CareidApi({ baseUrl: t.baseUrl, login: doctor.user.login, password: PASSWORD, fetch: gate.fetch });
    const received: NotificationDto[] = [];
    const connection = await api.notificationApi.subscribeToNotificationEvents(
      ['CREATE'],
      { type: 'NEW_USER_OWN_DATA_ACCESS' },
      async (notification) => {
        received.push(notification);
      },
      { connectionRetryIntervalMs: 50 },
    );

    try {
      const first = await activatePatientOf(doctor);
      await until(() => received.length === 1);
      expect(received[0]).toMatchObject({ type: 'NEW_USER_OWN_DATA_ACCESS', responsible: first, status: 'pending' });
      const afterFirst = connection.lastEventId;
      expect(afterFirst).toMatch(/^\d+$/);

      // The stream's connection drops; reconnecting waits while two more requests arrive.
      gate.shut();
      gate.cut();
      const missed = [await activatePatientOf(doctor), await activatePatientOf(doctor)];
      gate.release();
      await until(() => received.length === 3);
      expect(gate.streamOpens.slice(-1)).toEqual([afterFirst]);

      // The 3 s access token expires: the server ends the stream and the SDK reconnects with a fresh token.
      const opensBefore = gate.streamOpens.length;
      await until(() => gate.streamOpens.length > opensBefore, 6000);
      const live = await activatePatientOf(doctor);
      await until(() => received.length === 4);
      await sleep(200);
      expect(received.map((n) => n.responsible)).toEqual([first, ...missed, live]);
    } finally {
      connection.close();
    }
  }, 30_000);
});
